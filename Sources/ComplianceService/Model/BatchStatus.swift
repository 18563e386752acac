import ERPKernel
import Foundation

/// Where a batch stands in quality control. A new batch is in testing until someone releases it.
public enum BatchStatus: String, Codable, Sendable, CaseIterable {
    case inTesting = "in_testing"
    case released
    /// Released with conditions (for example only for one use); may be sold.
    case conditional
    case blocked
    /// Called back from the customers; final.
    case recalled

    /// The statuses a batch may move to from this one. A recall is final; a blocked batch may
    /// go back to testing or, after a new check, be released.
    var successors: Set<BatchStatus> {
        switch self {
        case .inTesting: [.released, .conditional, .blocked, .recalled]
        case .released: [.conditional, .blocked, .recalled]
        case .conditional: [.released, .blocked, .recalled]
        case .blocked: [.inTesting, .released, .conditional, .recalled]
        case .recalled: []
        }
    }

    /// Why a batch in this status may not leave stock; `nil` when it may.
    var refusal: BatchRefusal.Reason? {
        switch self {
        case .inTesting: .untested
        case .blocked: .blocked
        case .recalled: .recalled
        case .released, .conditional: nil
        }
    }
}

/// The compliance view of one batch: its status and the last change.
public struct BatchQuality: Codable, Sendable, Equatable {
    let batchId: EntityID
    /// Known once the transactions service announced the batch.
    var articleId: EntityID?
    var batchNumber: String?
    var status: BatchStatus
    var reason: String?
    var changedBy: EntityID?
    var changedAt: Date
    /// Counts the status changes; the gate's cache keeps the highest it saw.
    var version: Int
}

/// One step in a batch's status history; never changed once written.
struct BatchStatusChange: Codable, Sendable, Equatable {
    let id: EntityID
    let from: BatchStatus?
    let to: BatchStatus
    let reason: String
    let changedBy: EntityID
    let changedAt: Date
}

/// A batch with its whole history, for `GET /api/v1/compliance/batches/{id}`.
struct BatchQualityDetail: Encodable, Sendable {
    let batch: BatchQuality
    let history: [BatchStatusChange]

    func encode(to encoder: any Encoder) throws {
        try batch.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(history, forKey: .history)
    }

    private enum CodingKeys: String, CodingKey { case history }
}
