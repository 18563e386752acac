import AsyncHTTPClient
import ERPKernel
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Platform
import ServiceRuntime

/// Calls a service in another process over HTTP/1.1 with a pooled client.
///
/// Every failure to get an HTTP answer becomes a `Problem` the gateway can pass on: 503 when the
/// service cannot be reached, 504 when it does not answer in time, 502 for a broken answer.
public struct HTTPServiceClient: ServiceClient {
    public let service: ServiceName
    public let address: String
    /// The version label of this replica, for traffic splitting and metrics.
    public let version: String
    private let baseURL: String
    private let client: HTTPClient
    private let metrics: MetricsRegistry
    private let maximumResponseBytes: Int

    /// - Parameters:
    ///   - baseURL: e.g. `http://127.0.0.1:8081`, without a trailing slash.
    ///   - maximumResponseBytes: the largest body accepted from the service (default 8 MiB).
    public init(
        service: ServiceName, baseURL: String, version: String = "stable", client: HTTPClient, metrics: MetricsRegistry,
        maximumResponseBytes: Int = 8 << 20
    ) {
        self.service = service
        self.version = version
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.address = self.baseURL
        self.client = client
        self.metrics = metrics
        self.maximumResponseBytes = maximumResponseBytes
    }

    public func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        var outgoing = HTTPClientRequest(url: baseURL + request.path)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        outgoing.headers.replaceOrAdd(name: "traceparent", value: trace.child().traceparent)
        if let body = request.body { outgoing.body = .bytes(body) }
        let start = ContinuousClock.now
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout.milliseconds)))
            let body = try await response.body.collect(upTo: maximumResponseBytes)
            var headers = HTTPFields()
            for header in response.headers where !Self.hopByHop.contains(header.name.lowercased()) {
                if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
            }
            metrics.recordUpstreamCall(service: service.rawValue, version: version, outcome: "ok", duration: ContinuousClock.now - start)
            return ServiceResponse(status: HTTPResponse.Status(code: Int(response.status.code)), headers: headers, body: body)
        } catch {
            let problem = problem(for: error, timeout: timeout)
            let outcome = problem.status == 504 ? "timeout" : problem.status == 503 ? "unavailable" : "bad_response"
            metrics.recordUpstreamCall(service: service.rawValue, version: version, outcome: outcome, duration: ContinuousClock.now - start)
            throw problem
        }
    }

    private func problem(for error: any Error, timeout: Duration) -> Problem {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .upstreamTimeout(service.rawValue, timeoutMilliseconds: timeout.milliseconds)
            case .connectTimeout, .remoteConnectionClosed, .alreadyShutdown, .getConnectionFromPoolTimeout:
                return .upstreamUnavailable(service.rawValue, detail: "The \(service.rawValue) service cannot be reached.")
            default:
                return .badGateway(service.rawValue, detail: "The \(service.rawValue) service sent an answer that could not be read.")
            }
        }
        if error is NIOConnectionError || error is IOError || error is ChannelError {
            return .upstreamUnavailable(service.rawValue, detail: "The \(service.rawValue) service cannot be reached.")
        }
        if error is CancellationError {
            return .upstreamTimeout(service.rawValue, timeoutMilliseconds: timeout.milliseconds)
        }
        return .badGateway(service.rawValue, detail: "The call to the \(service.rawValue) service failed.")
    }

    /// Headers that describe one connection, not the message (RFC 9110 §7.6.1); never forwarded.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length",
    ]
}
