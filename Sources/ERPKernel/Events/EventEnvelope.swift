import Foundation

/// A domain event as it travels between services: written to the producer's outbox in the same
/// transaction as its state change, delivered at least once, applied once by each consumer.
public struct EventEnvelope: Sendable, Codable, Equatable {
    /// Unique per event; consumers record it to ignore redeliveries.
    public var id: EntityID
    /// Dotted name with a version, e.g. `transactions.sale.posted.v1`.
    public var type: String
    /// The producing service.
    public var source: String
    public var tenantID: TenantID?
    /// The aggregate the event concerns, for ordering per aggregate.
    public var subject: String?
    /// Whole milliseconds, so the event survives storage and transport unchanged.
    public var occurredAt: Date
    /// The W3C trace ID of the request that caused the event.
    public var traceID: String?
    /// The event's own fields as JSON.
    public var payload: Data

    public init(
        id: EntityID = .generate(), type: String, source: String, tenantID: TenantID? = nil,
        subject: String? = nil, occurredAt: Date = Date(), traceID: String? = nil, payload: Data
    ) {
        self.id = id
        self.type = type
        self.source = source
        self.tenantID = tenantID
        self.subject = subject
        self.occurredAt = Date(timeIntervalSince1970: (occurredAt.timeIntervalSince1970 * 1000).rounded() / 1000)
        self.traceID = traceID
        self.payload = payload
    }
}
