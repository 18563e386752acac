import ERPKernel
import Foundation
import ServiceRuntime

/// The schemes a batch is checked against.
public enum CheckType: String, Codable, Sendable, CaseIterable {
    /// QS Qualität und Sicherheit (grain, feed, fertiliser trade).
    case qs
    /// GMP+ Feed Safety Assurance.
    case gmpPlus = "gmp_plus"
    /// EU law: traceability (VO (EG) 178/2002), feed hygiene (VO (EG) 183/2005), declarations.
    case eu
}

/// How much a failed rule weighs: a critical failure makes the batch non-compliant, any other
/// failure or missing data makes it partially compliant.
enum RuleSeverity: String, Codable, Sendable, CaseIterable {
    case critical, major
}

enum RuleKind: String, Codable, Sendable, CaseIterable {
    /// A measured value within `minimum`…`maximum` (either may be open).
    case measurement
    /// A document (log, certificate, declaration) that must carry every `requiredFields` entry.
    case document
}

/// One rule of a rule set: a property and its bound, as data an admin edits.
struct Rule: Codable, Sendable, Equatable, KnownFields {
    static let fields: Set<String> = ["key", "label", "kind", "severity", "unit", "minimum", "maximum", "requiredFields"]
    /// Names the value in a check's `measurements` or `documents`, e.g. `moisture`, `hygiene_log`.
    let key: String
    let label: String
    let kind: RuleKind
    let severity: RuleSeverity
    /// Unit of a measurement, e.g. `%`, `°C`.
    let unit: String?
    /// Decimal text; `nil` leaves the bound open.
    let minimum: String?
    let maximum: String?
    /// The entries a document must have, e.g. cleaning date, responsible person, measures.
    let requiredFields: [String]?
}

/// A versioned rule set of one tenant and check type. A change is a new version; results name
/// the version they were judged by, so editing never changes a past result.
struct RuleSet: Codable, Sendable, Equatable {
    let checkType: CheckType
    let version: Int
    let name: String
    let rules: [Rule]
    let createdBy: EntityID?
    let createdAt: Date
}
