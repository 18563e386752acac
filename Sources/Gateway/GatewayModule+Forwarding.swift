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
        let key = cacheKey(method: request.method, uri: request.uri.description, headers: request.headers, caller: caller?.identity)
        var answer: ServiceResponse
        if let cached = cached(key, requestHeaders: request.headers) {
            answer = cached
        } else {
            var request = request
            // BodyLimitMiddleware has already buffered and bounded the body.
            let body = try await request.collectBody(upTo: .max)
            let forwarded = ServiceRequest(
                method: request.method, path: request.uri.description,
                headers: forwardedHeaders(request.headers, peer: context.peerAddress, assertion: caller?.assertion, cacheKey: key),
                body: body.readableBytes > 0 ? body : nil)
            answer = completed(
                try await client.send(forwarded, trace: context.trace, timeout: upstreamTimeout), cacheKey: key, caller: caller?.identity,
                method: request.method, path: request.uri.path, requestHeaders: request.headers)
        }
        answer.headers.append(contentsOf: limits)
        return Response(status: answer.status, headers: answer.headers, body: ResponseBody(byteBuffer: answer.body))
    }

    func cacheKey(method: HTTPRequest.Method, uri: String, headers: HTTPFields, caller: Identity?) -> String? {
        cache == nil ? nil : ResponseCache.key(method: method, uri: uri, headers: headers, caller: caller)
    }

    func cached(_ key: String?, requestHeaders: HTTPFields) -> ServiceResponse? {
        key.flatMap { cache?.answer($0, requestHeaders: requestHeaders) }
    }

    /// The request's fields as the service gets them.
    func forwardedHeaders(_ fields: HTTPFields, peer: String?, assertion: String?, cacheKey: String?) -> HTTPFields {
        var headers = fields
        // The gateway is the edge: what a client claims as its address is replaced by the truth.
        headers[.xForwardedFor] = peer
        // Only the gateway asserts who is calling; a client's own claim is dropped.
        headers[.verifiedIdentity] = assertion
        // A conditional request would get a 304 with nothing to keep; the cache answers it.
        if cacheKey != nil { headers[.ifNoneMatch] = nil }
        return headers
    }

    /// The service's answer as the client gets it: kept by the cache when the service allows,
    /// a 304 when the client has it, and a change drops what the cache holds of its collection.
    func completed(
        _ answer: ServiceResponse, cacheKey: String?, caller: Identity?, method: HTTPRequest.Method, path: String, requestHeaders: HTTPFields
    ) -> ServiceResponse {
        var answer = answer
        if let cacheKey {
            cache?.store(answer, under: cacheKey, caller: caller, path: path)
            answer = ResponseCache.conditional(answer, requestHeaders: requestHeaders)
        }
        answer.headers[.surrogateControl] = nil
        if let cache, let caller, ![.get, .head, .options, .trace].contains(method), (200..<300).contains(answer.status.code) {
            cache.invalidate(tenant: caller.tenantID, collection: ResponseCache.collection(of: path))
        }
        return answer
    }
}
