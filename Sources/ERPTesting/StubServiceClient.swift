import ERPKernel
import HTTPTypes
import NIOCore
import ServiceRuntime
import Synchronization

/// A service client that answers with a fixed response or problem and records the requests.
public final class StubServiceClient: ServiceClient {
    public let service: ServiceName
    public let address: String
    private let answer: Result<ServiceResponse, Problem>
    private let received = Mutex<[(ServiceRequest, TraceContext)]>([])

    public init(service: ServiceName, address: String = "http://stub.invalid", answer: Result<ServiceResponse, Problem>) {
        self.service = service
        self.address = address
        self.answer = answer
    }

    /// A stub that answers 200 with `json` as the body.
    public convenience init(service: ServiceName, json: String) {
        self.init(
            service: service,
            answer: .success(ServiceResponse(
                status: .ok, headers: [.contentType: "application/json"], body: ByteBuffer(string: json))))
    }

    public var requests: [(request: ServiceRequest, trace: TraceContext)] { received.withLock { $0 } }

    public func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        received.withLock { $0.append((request, trace)) }
        return try answer.get()
    }
}
