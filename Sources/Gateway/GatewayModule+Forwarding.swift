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
            for prefix in service.publicPathPrefixes {
                for path in [prefix, prefix + "/**"] {
                    for method in Self.forwardedMethods {
                        router.on(RouterPath(path), method: method) { request, context in
                            try await handle(request, context: context, client: client)
                        }
                    }
                }
            }
        }
    }

    /// Rate limit, access check, cache, then the service.
    func handle(_ request: Request, context: ServiceContext, client: any ServiceClient) async throws -> Response {
        // Counted before an API key is looked up, so a flood of made-up keys stops here.
        let (limits, verified) = try await rateLimiter?.admit(request, context: context) ?? ([:], nil)
        let caller = try await access.admit(request, verified: verified)
        let identity = caller?.identity
        let cacheKey = cache == nil ? nil : ResponseCache.key(method: request.method, uri: request.uri.description, headers: request.headers, caller: identity)
        var answer: ServiceResponse
        if let cacheKey, let cached = cache?.answer(cacheKey, requestHeaders: request.headers) {
            answer = cached
        } else {
            answer = try await forward(
                request, context: context, assertion: caller?.assertion, to: client,
                // A conditional request would get a 304 with nothing to keep; the cache answers it.
                conditional: cacheKey == nil)
            if let cacheKey {
                cache?.store(answer, under: cacheKey, caller: identity, path: request.uri.path)
                answer = ResponseCache.conditional(answer, requestHeaders: request.headers)
            }
            answer.headers[.surrogateControl] = nil
            if let cache, let identity, ![.get, .head, .options, .trace].contains(request.method), (200..<300).contains(answer.status.code) {
                cache.invalidate(tenant: identity.tenantID, collection: ResponseCache.collection(of: request.uri.path))
            }
        }
        answer.headers.append(contentsOf: limits)
        return Response(status: answer.status, headers: answer.headers, body: ResponseBody(byteBuffer: answer.body))
    }

    func forward(
        _ request: Request, context: ServiceContext, assertion: String?, to client: any ServiceClient, conditional: Bool
    ) async throws -> ServiceResponse {
        var request = request
        // BodyLimitMiddleware has already buffered and bounded the body.
        let body = try await request.collectBody(upTo: .max)
        var headers = request.headers
        // The gateway is the edge: what a client claims as its address is replaced by the truth.
        headers[.xForwardedFor] = context.peerAddress
        // Only the gateway asserts who is calling; a client's own claim is dropped.
        headers[.verifiedIdentity] = assertion
        if !conditional { headers[.ifNoneMatch] = nil }
        let forwarded = ServiceRequest(
            method: request.method, path: request.uri.description, headers: headers, body: body.readableBytes > 0 ? body : nil)
        return try await client.send(forwarded, trace: context.trace, timeout: upstreamTimeout)
    }
}
