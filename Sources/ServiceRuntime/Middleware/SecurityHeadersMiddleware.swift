import HTTPTypes
import Hummingbird

/// The headers that tell a browser how to treat every answer of the API, errors included: only
/// over HTTPS from now on, never sniffed as another type, never framed, nothing loaded or run
/// from it, no referrer leaving, no device features. The API serves JSON, so the policy can be
/// this strict; a set a handler gave already is left as it is.
public struct SecurityHeadersMiddleware: RouterMiddleware {
    public typealias Context = ServiceContext

    static let fields: [(HTTPField.Name, String)] = [
        (HTTPField.Name("Strict-Transport-Security")!, "max-age=31536000; includeSubDomains"),
        (HTTPField.Name("Content-Security-Policy")!, "default-src 'none'; frame-ancestors 'none'"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("Permissions-Policy")!, "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ]

    static let names = Set(fields.map(\.0))

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.add(to: &response.headers)
        return response
    }

    /// Sets each security header the fields do not have yet.
    public static func add(to headers: inout HTTPFields) {
        // Mostly none of them is set: one pass over the answer's fields instead of one per name.
        if headers.contains(where: { names.contains($0.name) }) {
            for (name, value) in fields where headers[name] == nil { headers[name] = value }
        } else {
            for (name, value) in fields { headers.append(HTTPField(name: name, value: value)) }
        }
    }
}
