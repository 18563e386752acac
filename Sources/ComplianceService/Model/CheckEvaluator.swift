import ERPKernel
import Foundation

/// Judges submitted data against a rule set. Pure: the same data and rules give the same result.
enum CheckEvaluator {
    /// Each rule's outcome and the overall one: a failed critical rule makes the batch
    /// non-compliant; any other failure, or data missing for any rule, partially compliant.
    static func evaluate(measurements: [String: String], documents: [String: [String: String]], rules: [Rule]) -> (CheckOutcome, [RuleResult]) {
        let results = rules.map { rule in
            switch rule.kind {
            case .measurement: judge(measurement: measurements[rule.key], rule)
            case .document: judge(document: documents[rule.key], rule)
            }
        }
        let outcome: CheckOutcome =
            if results.contains(where: { $0.outcome == .failed && $0.severity == .critical }) { .nonCompliant }
            else if results.contains(where: { $0.outcome != .passed }) { .partiallyCompliant }
            else { .compliant }
        return (outcome, results)
    }

    private static func judge(measurement text: String?, _ rule: Rule) -> RuleResult {
        let unit = rule.unit.map { " \($0)" } ?? ""
        let expected = switch (rule.minimum, rule.maximum) {
        case let (minimum?, maximum?): "\(minimum)–\(maximum)\(unit)"
        case let (minimum?, nil): "≥ \(minimum)\(unit)"
        case let (nil, maximum?): "≤ \(maximum)\(unit)"
        case (nil, nil): "any value"
        }
        guard let text, let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            return RuleResult(key: rule.key, label: rule.label, severity: rule.severity, outcome: .missing, value: nil, expected: expected)
        }
        let low = rule.minimum.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
        let high = rule.maximum.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
        let within = (low.map { value >= $0 } ?? true) && (high.map { value <= $0 } ?? true)
        return RuleResult(
            key: rule.key, label: rule.label, severity: rule.severity, outcome: within ? .passed : .failed, value: text + unit, expected: expected)
    }

    private static func judge(document entries: [String: String]?, _ rule: Rule) -> RuleResult {
        let required = rule.requiredFields ?? []
        let expected = required.isEmpty ? "present" : required.joined(separator: ", ")
        guard let entries else {
            return RuleResult(key: rule.key, label: rule.label, severity: rule.severity, outcome: .missing, value: nil, expected: expected)
        }
        let present = required.filter { !(entries[$0] ?? "").allSatisfy(\.isWhitespace) }
        return RuleResult(
            key: rule.key, label: rule.label, severity: rule.severity, outcome: present.count == required.count ? .passed : .failed,
            value: present.joined(separator: ", "), expected: expected)
    }
}
