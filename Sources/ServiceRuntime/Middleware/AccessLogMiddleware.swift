import Hummingbird
import Logging
import Platform

/// One access log line and the request metrics per request, labelled by route template so that
/// `/api/v1/articles/{id}` is one series, not one per article.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceContext
    private let metrics: MetricsRegistry

    public init(metrics: MetricsRegistry) { self.metrics = metrics }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: response.status.code, duration: elapsed)
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        context.logger.info(
            "request",
            metadata: [
                "http.request.method": .string(request.method.rawValue),
                "url.path": .string(request.uri.path),
                "http.route": .string(route),
                "http.response.status_code": .stringConvertible(response.status.code),
                "event.duration": .stringConvertible(nanoseconds),
            ])
        return response
    }
}
