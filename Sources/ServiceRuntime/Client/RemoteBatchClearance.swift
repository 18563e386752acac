import ERPKernel
import Foundation
import NIOCore

/// The compliance gate of a compliance service in another process, asked over the mesh at every
/// posting that moves batches out. Fails closed: without an answer the posting is refused with
/// a 503, never let through.
public struct RemoteBatchClearance: BatchClearance {
    /// The question and the answer of `POST /internal/v1/compliance/clearance`.
    public struct Question: Codable, Sendable {
        public let tenantId: TenantID
        public let movements: [BatchMovement]

        public init(tenantId: TenantID, movements: [BatchMovement]) {
            self.tenantId = tenantId
            self.movements = movements
        }
    }

    public struct Answer: Codable, Sendable {
        public let refusals: [BatchRefusal]

        public init(refusals: [BatchRefusal]) { self.refusals = refusals }
    }

    public static let path = ServiceName.compliance.internalPathPrefix + "/clearance"

    private let client: @Sendable () -> any ServiceClient
    private let timeout: Duration

    /// - Parameter client: the compliance service's client, looked up when asked (the mesh is
    ///   assembled after the services).
    public init(timeout: Duration = .seconds(2), client: @escaping @Sendable () -> any ServiceClient) {
        self.client = client
        self.timeout = timeout
    }

    public func refusals(for batches: [BatchMovement], tenant: TenantID) async throws -> [BatchRefusal] {
        let body = try JSONCoding.encoder.encode(Question(tenantId: tenant, movements: batches))
        let response = try await client().send(
            ServiceRequest(method: .post, path: Self.path, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)),
            trace: .generate(), timeout: timeout)
        guard response.status == .ok, let answer = try? JSONCoding.decoder.decode(Answer.self, from: Data(response.body.readableBytesView)) else {
            throw Problem(
                status: 503, code: "compliance_gate_unavailable", title: "Compliance gate unavailable",
                detail: "The compliance service did not clear the batches (status \(response.status.code)); nothing was posted.",
                category: .dependency)
        }
        return answer.refusals
    }
}
