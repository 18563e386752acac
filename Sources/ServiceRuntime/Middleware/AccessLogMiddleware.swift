import HTTPTypes
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
        Self.record(
            method: request.method, path: request.uri.path, route: context.endpointPath ?? "unmatched", status: response.status.code,
            elapsed: ContinuousClock.now - start, logger: context.logger, metrics: metrics)
        return response
    }

    /// The metrics and the log line of one answered request.
    public static func record(
        method: HTTPRequest.Method, path: String, route: String, status: Int, elapsed: Duration, logger: Logger, metrics: MetricsRegistry
    ) {
        metrics.recordRequest(method: method.rawValue, route: route, status: status, duration: elapsed)
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        logger.info(
            "request",
            metadata: [
                "http.request.method": .string(method.rawValue),
                "url.path": .string(path),
                "http.route": .string(route),
                "http.response.status_code": .stringConvertible(status),
                "event.duration": .stringConvertible(nanoseconds),
            ])
    }
}
