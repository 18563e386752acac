import ERPKernel
import Foundation
import ServiceRuntime

enum CheckOutcome: String, Codable, Sendable {
    case compliant = "COMPLIANT"
    case partiallyCompliant = "PARTIALLY_COMPLIANT"
    case nonCompliant = "NON_COMPLIANT"
}

enum RuleOutcome: String, Codable, Sendable {
    case passed, failed, missing
}

/// How one rule judged the submitted data.
struct RuleResult: Codable, Sendable, Equatable {
    let key: String
    let label: String
    let severity: RuleSeverity
    let outcome: RuleOutcome
    /// The measured value, or the document's entries found.
    let value: String?
    /// The bound or the entries the rule asks for.
    let expected: String
}

/// An immutable check result: the batch judged against one version of a rule set, signed with
/// the SHA-256 of its own content.
struct BatchCheck: Codable, Sendable, Equatable {
    let id: EntityID
    let batchId: EntityID
    let checkType: CheckType
    let ruleSetVersion: Int
    let outcome: CheckOutcome
    let results: [RuleResult]
    let responsiblePerson: String
    let checkedBy: EntityID
    let checkedAt: Date
    /// SHA-256 over this result's JSON without the hash itself; changes to a stored result show.
    var contentHash: String
}

/// `POST /api/v1/compliance/batches/{id}/checks`.
struct BatchCheckRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["checkType", "responsiblePerson", "measurements", "documents", "applyStatus"]
    let checkType: CheckType
    let responsiblePerson: String
    /// Decimal text per measurement rule key.
    let measurements: [String: String]?
    /// Entries per document rule key.
    let documents: [String: [String: String]]?
    /// Also move the batch: compliant → released, partially → conditional, non-compliant → blocked.
    let applyStatus: Bool?
}

/// `PUT /api/v1/compliance/rule-sets/{checkType}`.
struct RuleSetRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["name", "rules"]
    let name: String
    let rules: [Strict<Rule>]
}
