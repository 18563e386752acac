import ERPKernel
import HTTPTypes
import NIOCore

/// A request from one service to another, as the mesh carries it.
public struct ServiceRequest: Sendable {
    public var method: HTTPRequest.Method
    /// Path and query, e.g. `/internal/v1/audit/info`.
    public var path: String
    public var headers: HTTPFields
    public var body: ByteBuffer?

    public init(method: HTTPRequest.Method = .get, path: String, headers: HTTPFields = [:], body: ByteBuffer? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

public struct ServiceResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: ByteBuffer

    public init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// How a handler reaches another service: the same call whether the other service runs in this
/// process or behind HTTP. Implementations live in the Mesh target.
public protocol ServiceClient: Sendable {
    /// The other service.
    var service: ServiceName { get }
    /// Where it is: `in-process` or its base URL.
    var address: String { get }

    /// Sends a request under the caller's trace and answers within `timeout`.
    /// - Throws: `Problem` 503 when the service is unreachable, 504 when it does not answer in
    ///   time, 502 when it answers with something that is not HTTP. An HTTP error status from
    ///   the service is a response, not an error.
    func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse
}
