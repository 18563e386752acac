import ERPKernel
import Hummingbird
import Logging
import Platform

/// The global error handler: whatever a handler throws becomes an `application/problem+json`
/// response. Expected failures are `Problem`s; anything else is logged with its cause and
/// answered with a generic 500, so no stack trace or SQL text reaches a client.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = ServiceContext
    private let routes: RouteTable

    /// - Parameter routes: the router's routes, to tell 405 (path exists) from 404.
    public init(routes: RouteTable) { self.routes = routes }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = problem(for: error, request: request)
            if problem.category == .internal || problem.code == Problem.databaseUnavailable.code {
                context.logger.log(
                    level: problem.category == .internal ? .error : .warning, "request failed",
                    metadata: ["error.type": .string(String(reflecting: type(of: error))),
                               "error.message": .string(String(describing: error)), "error.code": .string(problem.code.rawValue)])
            }
            return problem.response(instance: request.uri.path, correlationID: context.trace.traceID)
        }
    }

    private func problem(for error: any Error, request: Request) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case is CancellationError:
            // The client left or the process is stopping; nothing is wrong with the server.
            return Problem(
                status: 503, code: "request_cancelled", title: "Request cancelled",
                detail: "The request was cancelled before it completed.", category: .dependency, severity: .warning)
        case let failure as any SQLFailure where failure.isUnavailable:
            return .databaseUnavailable
        case let error as HTTPError:
            switch error.status {
            case .notFound:  // handlers throw Problem; an HTTPError 404 comes from the router: no route
                let allowed = routes.allowedMethods(forPath: request.uri.path)
                if allowed.isEmpty { return .routeNotFound(method: request.method.rawValue, path: request.uri.path) }
                return .methodNotAllowed(method: request.method.rawValue, path: request.uri.path, allowed: allowed)
            case .contentTooLarge:
                return .payloadTooLarge(limitBytes: nil)
            default:
                let status = error.status
                return Problem(
                    status: status.code, code: ProblemCode(rawValue: "http_\(status.code)"), title: status.reasonPhrase,
                    detail: error.body, category: status.code == 401 ? .authentication : status.code == 403 ? .authorization
                        : status.code >= 500 ? .internal : .validation)
            }
        default:
            return .internalError
        }
    }
}
