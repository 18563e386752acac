import ERPKernel
import Foundation

/// A crop-protection product's approval (Zulassung) in the tenant's register: who holds it, until
/// when it may be sold, under which restrictions, and the articles it covers.
struct PSMApproval: Codable, Sendable, Equatable {
    /// The BVL approval number, e.g. `024567-00`.
    let approvalNumber: String
    var holder: String
    /// Last day of sale (`YYYY-MM-DD`).
    var expiresOn: String
    var restrictions: [String]
    var articleIds: [EntityID]
    var updatedBy: EntityID
    var updatedAt: Date
    var version: Int
    /// Set once the expiry watch warned that the last day of sale is near.
    var expiryWarnedAt: Date?
    /// Set once the expiry watch announced that the approval ended.
    var expiredNotedAt: Date?
}
