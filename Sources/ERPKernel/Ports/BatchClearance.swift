import Foundation

/// The compliance gate: "may these batches move?" Asked before a sale or goods issue is posted.
///
/// The transactions service asks; the compliance service answers (a blocked, recalled or untested
/// batch, or a crop-protection product past its approval, may not move). An adapter that cannot
/// reach the answer must throw, never guess "yes".
public protocol BatchClearance: Sendable {
    /// The refusals among `batches`; an empty answer clears them all.
    func refusals(for batches: [BatchMovement], tenant: TenantID) async throws -> [BatchRefusal]
}

/// One batch about to leave stock.
public struct BatchMovement: Sendable, Hashable, Codable {
    public let articleID: EntityID
    public let batchID: EntityID
    /// The business date of the movement: an approval is judged on this day.
    public let date: String

    public init(articleID: EntityID, batchID: EntityID, date: String) {
        self.articleID = articleID
        self.batchID = batchID
        self.date = date
    }
}

/// Why a batch may not move.
public struct BatchRefusal: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Codable {
        case blocked, recalled, untested, approvalExpired = "approval_expired", expired
    }

    public let batchID: EntityID
    public let reason: Reason
    public let detail: String

    public init(batchID: EntityID, reason: Reason, detail: String) {
        self.batchID = batchID
        self.reason = reason
        self.detail = detail
    }
}
