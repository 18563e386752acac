import ERPKernel
import HTTPTypes
import Logging
import Mesh
import NIOCore
import Platform
import Prometheus
import ServiceRuntime

/// The gateway's fast lane: a GET or POST whose caller's access token was verified before is
/// admitted and forwarded on the event loop that read it, without a Swift task, the router or
/// the middleware chain: about a fifth less of the gateway's CPU per forwarded GET
/// (`bench/gateway`). A POST's body must have arrived whole and be within the body limit.
///
/// It applies the same rules as `GatewayModule.handle`, through the same parts: rate limits (in
/// memory, or asked of Redis without a task while the connection reads no more), access rules,
/// the response cache, the identity assertion and the balanced replicas. Whatever it cannot
/// decide so it declines, and the request takes the full path: other methods, a token not
/// verified yet, API keys, anonymous callers, CORS, a caller's own deadline, a service in this
/// process, a Redis pool with no connection open yet.
public struct GatewayFastLane: Sendable {
    /// What became of a request the lane took.
    enum Outcome: Sendable {
        /// Answered without the service: a problem, or the response cache.
        case answered(ServiceResponse)
        /// On its way; `complete` makes the service's answer the client's.
        case forwarded(EventLoopFuture<ServiceResponse>, complete: @Sendable (ServiceResponse) -> ServiceResponse)
        /// Waiting for a rate limit kept in Redis; then one of the others.
        case admitting(EventLoopFuture<Outcome>)
    }

    /// What the lane did with the requests it saw, as `gateway_fast_lane_requests_total{outcome}`.
    struct Counts: Sendable {
        let answered, forwarded, declined, retried: Counter

        init(metrics: MetricsRegistry) {
            func counter(_ outcome: String) -> Counter {
                metrics.counter(
                    "gateway_fast_lane_requests_total", labels: [("outcome", outcome)],
                    help: "Forwardable requests by what the gateway's fast lane did: answered itself, forwarded, declined to the router, or handed to the router to retry.")
            }
            (answered, forwarded, declined, retried) = (counter("answered"), counter("forwarded"), counter("declined"), counter("retried"))
        }
    }

    /// Where the lane sends a path: the service's replicas, and its client's retry budget.
    struct Route: Sendable {
        /// The route label, as the router's catch-all routes name it.
        let template: String
        let replicas: BalancedServiceClient
        let retries: ResilientServiceClient
    }

    private let gateway: GatewayModule
    /// The largest body the lane takes; the router answers larger ones (413 over the limit).
    let maximumBodyBytes: Int
    private let routes: [(prefix: String, replicas: BalancedServiceClient, retries: ResilientServiceClient)]
    let counts: Counts

    /// nil when no service is reached over HTTP (the embedded mode): the lane would only hand
    /// every request on.
    init?(gateway: GatewayModule, maximumBodyBytes: Int) {
        let routes = ServiceName.allCases.flatMap { service in
            guard let replicas = gateway.directory.balancer(for: service), replicas.isReachedOverHTTP,
                let retries = gateway.directory.client(for: service) as? ResilientServiceClient
            else { return [(prefix: String, replicas: BalancedServiceClient, retries: ResilientServiceClient)]() }
            return service.publicPathPrefixes.map { ($0, replicas, retries) }
        }
        guard !routes.isEmpty else { return nil }
        self.gateway = gateway
        self.maximumBodyBytes = min(maximumBodyBytes, 64 << 10)
        self.routes = routes
        counts = Counts(metrics: gateway.environment.metrics)
    }

    var metrics: MetricsRegistry { gateway.environment.metrics }
    var logger: Logger { gateway.environment.logger }

    /// Where `path` goes; nil for a path the lane does not forward.
    func route(of path: Substring) -> Route? {
        let path = String(path)
        for (prefix, replicas, retries) in routes where path.isPath(under: prefix) {
            return Route(template: path.utf8.count == prefix.utf8.count ? prefix : prefix + "/**", replicas: replicas, retries: retries)
        }
        return nil
    }

    /// The methods the lane takes.
    static func takes(_ method: HTTPRequest.Method) -> Bool { method == .get || method == .post }

    /// A request the lane took, with what it learned of it.
    private struct Taken: Sendable {
        let request: HTTPRequest
        let body: ByteBuffer?
        let path: String
        let route: Route
        let identity: Identity
        let credential: String
        let peer: String?
        let trace: TraceContext
    }

    /// Takes `request` (whose path without the query is `path`) when everything about it can be
    /// decided now, or once Redis answered for its rate limit; nil sends it the full path.
    func take(
        _ request: HTTPRequest, body: ByteBuffer?, path: String, route: Route, peer: String?, trace: TraceContext, on loop: any EventLoop
    ) -> Outcome? {
        let headers = request.headerFields
        guard Self.takes(request.method), request.method == .post || body == nil, request.path != nil, Self.plain(headers, method: request.method),
            let credential = try? AuthenticationMiddleware.credential(in: headers), !credential.hasPrefix(CredentialRouter.apiKeyPrefix),
            let identity = gateway.access.verifier.verifiedIdentity(forBearer: credential)
        else { return nil }
        let taken = Taken(request: request, body: body, path: path, route: route, identity: identity, credential: credential, peer: peer, trace: trace)
        guard let limiter = gateway.rateLimiter else { return proceed(taken, limits: [:], on: loop) }
        do {
            if let limits = try limiter.admitImmediately(path: path, identity: identity) { return proceed(taken, limits: limits, on: loop) }
        } catch {
            return .answered(Self.problem(error, path: path, trace: trace))
        }
        guard let admitting = limiter.admitSoon(path: path, identity: identity, on: loop) else { return nil }
        return .admitting(admitting.map { proceed(taken, limits: $0, on: loop) }.recover { .answered(Self.problem($0, path: path, trace: trace)) })
    }

    /// `take` once the caller is within the rate limits: the access rules, the cache, the call.
    private func proceed(_ taken: Taken, limits: HTTPFields, on loop: any EventLoop) -> Outcome {
        let (path, headers, identity, trace) = (taken.path, taken.request.headerFields, taken.identity, taken.trace)
        let (method, uri) = (taken.request.method, taken.request.path ?? path)
        let caller: (identity: Identity, assertion: String)
        do {
            caller = try gateway.access.admit(identity, credential: taken.credential, method: method, path: path)
        } catch {
            return .answered(Self.problem(error, path: path, trace: trace))
        }
        let key = gateway.cacheKey(method: method, uri: uri, headers: headers, caller: identity)
        if var cached = gateway.cached(key, requestHeaders: headers) {
            cached.headers.append(contentsOf: limits)
            return .answered(cached)
        }
        var forwarded = ServiceRequest(
            method: method, path: uri, headers: gateway.forwardedHeaders(headers, peer: taken.peer, assertion: caller.assertion, cacheKey: key),
            body: taken.body)
        forwarded.headers[.requestDeadline] = String(gateway.upstreamTimeout.milliseconds)
        let call: EventLoopFuture<ServiceResponse>
        do {
            // Never nil: the lane's routes are those whose replicas are all reached over HTTP.
            guard let made = try taken.route.replicas.call(forwarded, trace: trace, timeout: gateway.upstreamTimeout, near: loop) else {
                return .answered(Self.problem(Problem.internalError, path: path, trace: trace))
            }
            call = made
            taken.route.retries.noteCall()
        } catch {
            return .answered(Self.problem(error, path: path, trace: trace))
        }
        let gateway = self.gateway
        return .forwarded(call) { answer in
            var answer = gateway.completed(answer, cacheKey: key, caller: identity, method: method, path: path, requestHeaders: headers)
            answer.headers.append(contentsOf: limits)
            return answer
        }
    }

    /// The problem answer to `error`, as the router's problem middleware writes it.
    static func problem(_ error: any Error, path: String, trace: TraceContext) -> ServiceResponse {
        (error as? Problem ?? .internalError).serviceResponse(instance: path, correlationID: trace.traceID)
    }

    /// Fields the full path treats specially: keep-alive handling, CORS, a caller's deadline, a
    /// body sent in chunks or with a GET.
    private static func plain(_ headers: HTTPFields, method: HTTPRequest.Method) -> Bool {
        headers[.connection] == nil && headers[.origin] == nil && headers[.requestDeadline] == nil
            && headers[.transferEncoding] == nil && (method != .get || (headers[.contentLength] ?? "0") == "0")
    }

    /// Whether a call may succeed on the router's path, which retries on another replica, as a
    /// failed call or as an answer (a replica's 502 or 503 answer is retried there too).
    static func mayRetry(_ result: Result<ServiceResponse, any Error>) -> Bool {
        switch result {
        case .success(let response): [502, 503].contains(response.status.code)
        case .failure(let error): (error as? Problem).map { [502, 503].contains($0.status) && $0.code != "circuit_open" } ?? false
        }
    }
}
