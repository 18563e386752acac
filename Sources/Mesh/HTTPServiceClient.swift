import ERPKernel
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Platform
import ServiceRuntime

/// Calls a service in another process over HTTP/1.1 (over mTLS with `https` URLs), on the
/// keep-alive connections of an `UpstreamConnectionPool`.
///
/// Every failure to get an HTTP answer becomes a `Problem` the gateway can pass on: 503 when the
/// service cannot be reached, 504 when it does not answer in time, 502 for a broken answer.
public struct HTTPServiceClient: ServiceClient {
    public let service: ServiceName
    public let address: String
    /// The version label of this replica, for traffic splitting and metrics.
    public let version: String
    private let pool: UpstreamConnectionPool
    private let calls: MetricsRegistry.UpstreamCallSeries

    public init(service: ServiceName, version: String = "stable", pool: UpstreamConnectionPool, metrics: MetricsRegistry) {
        self.service = service
        self.version = version
        self.pool = pool
        calls = metrics.upstreamCalls(service: service.rawValue, version: version)
        address = pool.baseURL
    }

    public func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        try await call(request, trace: trace, timeout: timeout, near: MultiThreadedEventLoopGroup.currentEventLoop).get()
    }

    /// The same without a task, for a caller on an event loop: the call goes out on a connection
    /// of `loop`, and the future fails with a `Problem` as `send` throws one.
    func call(_ request: ServiceRequest, trace: TraceContext, timeout: Duration, near loop: (any EventLoop)?) -> EventLoopFuture<ServiceResponse> {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue), uri: request.path)
        head.headers.reserveCapacity(request.headers.count + 3)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            head.headers.add(name: field.name.rawName, value: field.value)
        }
        head.headers.replaceOrAdd(name: "traceparent", value: trace.child().traceparent)
        head.headers.add(name: "Host", value: pool.authority)
        head.headers.add(name: "Content-Length", value: String(request.body?.readableBytes ?? 0))
        let start = ContinuousClock.now
        return pool.call(head, body: request.body, timeout: timeout, near: loop)
            .map { answer in
                var headers = HTTPFields()
                headers.reserveCapacity(answer.head.headers.count)
                for header in answer.head.headers {
                    guard let name = HTTPField.Name(header.name), !Self.hopByHop.contains(name.canonicalName) else { continue }
                    headers.append(HTTPField(name: name, value: header.value))
                }
                calls.record(outcome: "ok", duration: ContinuousClock.now - start)
                return ServiceResponse(status: HTTPResponse.Status(code: Int(answer.head.status.code)), headers: headers, body: answer.body)
            }
            .flatMapErrorThrowing { error in
                let problem = problem(for: error, timeout: timeout)
                let outcome = problem.status == 504 ? "timeout" : problem.status == 503 ? "unavailable" : "bad_response"
                calls.record(outcome: outcome, duration: ContinuousClock.now - start)
                throw problem
            }
    }

    private func problem(for error: any Error, timeout: Duration) -> Problem {
        let unreachable = Problem.upstreamUnavailable(service.rawValue, detail: "The \(service.rawValue) service cannot be reached.")
        switch error as? UpstreamFailure {
        case .timedOut: return .upstreamTimeout(service.rawValue, timeoutMilliseconds: timeout.milliseconds)
        case .connectFailed, .connectionClosed, .closedBeforeSending: return unreachable
        case .answerTooLarge: return .badGateway(service.rawValue, detail: "The \(service.rawValue) service sent an answer too large to pass on.")
        case .malformedAnswer: return .badGateway(service.rawValue, detail: "The \(service.rawValue) service sent an answer that could not be read.")
        case nil:
            if error is CancellationError { return .upstreamTimeout(service.rawValue, timeoutMilliseconds: timeout.milliseconds) }
            if error is MeshTLSError || error is NIOSSLError { return unreachable }
            return .badGateway(service.rawValue, detail: "The call to the \(service.rawValue) service failed.")
        }
    }

    /// Headers that describe one connection, not the message (RFC 9110 §7.6.1); never forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length",
    ]
}
