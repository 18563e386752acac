import ERPKernel
import Hummingbird

/// Refuses request bodies over a limit with 413 before a handler reads them.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = ServiceContext
    public let maximumBytes: Int

    /// - Parameter maximumBytes: the largest accepted body (default 1 MiB).
    public init(maximumBytes: Int = 1 << 20) { self.maximumBytes = maximumBytes }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maximumBytes {
            throw Problem.payloadTooLarge(limitBytes: maximumBytes)
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maximumBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.payloadTooLarge(limitBytes: maximumBytes)
        }
        return try await next(request, context)
    }
}
