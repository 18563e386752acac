import ERPKernel
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    public static let w3cTraceparent = HTTPField.Name("traceparent")!
    public static let requestID = HTTPField.Name("X-Request-ID")!
}

/// Gives every request a trace: the caller's W3C `traceparent` when valid, else a new one.
/// Puts the trace ID on every log line of the request and returns `traceparent` (and the
/// caller's `X-Request-ID`) on the response, errors included.
public struct CorrelationMiddleware: RouterMiddleware {
    public typealias Context = ServiceContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.w3cTraceparent], let parent = TraceContext(traceparent: header) {
            context.trace = parent.child()
        }
        if let requestID = request.headers[.requestID], requestID.utf8.count <= 200 {
            context.requestID = requestID
        }
        context.logger[metadataKey: "trace.id"] = .string(context.trace.traceID)
        context.logger[metadataKey: "span.id"] = .string(context.trace.spanID)
        var response = try await next(request, context)
        response.headers[.w3cTraceparent] = context.trace.traceparent
        if let requestID = context.requestID { response.headers[.requestID] = requestID }
        return response
    }
}
