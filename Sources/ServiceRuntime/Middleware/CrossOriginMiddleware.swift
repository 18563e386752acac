import HTTPTypes
import Hummingbird

/// CORS for the browser apps allowed to call the API from another origin (`--cors-origin`).
///
/// A preflight (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin is
/// answered here with 204, without reaching a service. Every other answer to an allowed origin,
/// errors included, names the origin and exposes the fields a client needs (`ETag`,
/// `Retry-After`, the rate-limit fields, the trace). Other origins get no CORS fields, so their
/// browsers keep the answer from the page. Credentials travel as bearer tokens, never cookies,
/// so `Access-Control-Allow-Credentials` is not sent.
public struct CrossOriginMiddleware: RouterMiddleware {
    public typealias Context = ServiceContext

    let allowedOrigins: Set<String>
    let allowsAnyOrigin: Bool
    /// How long a browser may reuse a preflight's answer (10 minutes).
    static let preflightMaxAgeSeconds = 600
    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE"
    static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key, If-None-Match, If-Match, X-API-Key, X-Request-ID, traceparent"
    static let exposedHeaders = "ETag, Location, Retry-After, RateLimit, RateLimit-Policy, X-Request-ID, traceparent"

    /// - Parameter origins: `scheme://host[:port]` each, or `*` for any origin.
    public init(origins: [String]) {
        allowsAnyOrigin = origins.contains("*")
        allowedOrigins = Set(origins.filter { $0 != "*" })
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], allowsAnyOrigin || allowedOrigins.contains(origin) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return Response(status: .noContent, headers: [
                .accessControlAllowOrigin: origin, .vary: "Origin",
                .accessControlAllowMethods: Self.allowedMethods, .accessControlAllowHeaders: Self.allowedHeaders,
                .accessControlMaxAge: String(Self.preflightMaxAgeSeconds),
            ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        response.headers.append(HTTPField(name: .vary, value: "Origin"))
        return response
    }
}
