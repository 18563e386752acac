import ERPKernel
import Hummingbird

/// Reads `X-NeuroERP-Deadline-Ms` into `RequestDeadline.current` for the rest of the request.
public struct DeadlineMiddleware: RouterMiddleware {
    public typealias Context = ServiceContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let text = request.headers[.requestDeadline] else { return try await next(request, context) }
        guard let milliseconds = Int(text), milliseconds > 0 else {
            throw Problem.validation("X-NeuroERP-Deadline-Ms must be a whole number of milliseconds above 0, not \"\(text.prefix(40))\".")
        }
        let deadline = ContinuousClock.now + .milliseconds(min(milliseconds, RequestDeadline.maximumMilliseconds))
        // An in-process hop runs inside the caller's task, whose deadline can only be earlier.
        return try await RequestDeadline.$current.withValue(min(deadline, RequestDeadline.current ?? deadline)) {
            try await next(request, context)
        }
    }
}
