import ERPKernel
import HTTPTypes
import Hummingbird
import ServiceRuntime

extension GatewayModule {
    /// Every method is forwarded, so the owning service answers 405 with the methods it really
    /// accepts (its `Allow` header) rather than the gateway guessing.
    static let forwardedMethods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .head, .trace]

    /// Adds a catch-all route for every public prefix of every other service.
    func addForwardingRoutes(to router: Router<ServiceContext>) {
        for service in ServiceName.allCases where service != .gateway {
            let client = directory.client(for: service)
            let timeout = upstreamTimeout
            let rateLimiter = rateLimiter
            let access = access
            for prefix in service.publicPathPrefixes {
                for path in [prefix, prefix + "/**"] {
                    for method in Self.forwardedMethods {
                        router.on(RouterPath(path), method: method) { request, context in
                            // Counted before an API key is looked up, so a flood of made-up keys stops here.
                            let limits = try await rateLimiter?.admit(request, context: context) ?? [:]
                            let identity = try await access.admit(request)
                            var response = try await Self.forward(
                                request, context: context, assertion: identity.map { access.assertions.sign($0) }, to: client, timeout: timeout)
                            response.headers.append(contentsOf: limits)
                            return response
                        }
                    }
                }
            }
        }
    }

    static func forward(
        _ request: Request, context: ServiceContext, assertion: String?, to client: any ServiceClient, timeout: Duration
    ) async throws -> Response {
        var request = request
        // BodyLimitMiddleware has already buffered and bounded the body.
        let body = try await request.collectBody(upTo: .max)
        var headers = request.headers
        // The gateway is the edge: what a client claims as its address is replaced by the truth.
        headers[.xForwardedFor] = context.peerAddress
        // Only the gateway asserts who is calling; a client's own claim is dropped.
        headers[.verifiedIdentity] = assertion
        let forwarded = ServiceRequest(
            method: request.method, path: request.uri.description, headers: headers, body: body.readableBytes > 0 ? body : nil)
        let answer = try await client.send(forwarded, trace: context.trace, timeout: timeout)
        return Response(status: answer.status, headers: answer.headers, body: ResponseBody(byteBuffer: answer.body))
    }
}
