import ERPKernel
import Foundation

/// Field checks that return findings instead of throwing, so a request hears of every problem at
/// once; `fail` and `refuse` turn the findings into one problem.
public enum Check {
    public static func text(_ value: String?, _ name: String, length: ClosedRange<Int>, required: Bool = true) -> [InvalidParam] {
        guard let value else { return required ? [InvalidParam(name: name, reason: "required")] : [] }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        // Counted in code points, as the OpenAPI document's maxLength counts them (a letter with
        // ten combining marks is one Character but eleven code points).
        guard length.contains(value.unicodeScalars.count), !trimmed.isEmpty || length.lowerBound == 0 else {
            return [InvalidParam(name: name, reason: "\(length.lowerBound) to \(length.upperBound) characters, not blank")]
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return [InvalidParam(name: name, reason: "no control characters")]
        }
        return []
    }

    /// A real calendar date written `YYYY-MM-DD`.
    public static func date(_ value: String?, _ name: String, required: Bool = false) -> [InvalidParam] {
        guard let value else { return required ? [InvalidParam(name: name, reason: "required")] : [] }
        return isDate(value) ? [] : [InvalidParam(name: name, reason: "a date YYYY-MM-DD")]
    }

    public static func isDate(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1900...2999).contains(year), (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    /// Well-formed input that breaks a business rule the schema cannot state (a rule across
    /// fields, a reference to something that does not exist): 422, every finding named.
    public static func refuse(_ findings: [InvalidParam]) throws {
        guard findings.isEmpty else { throw refusal(findings) }
    }

    public static func refusal(_ findings: [InvalidParam]) -> Problem {
        Problem(
            status: 422, code: "business_rule_violated", title: "Request refused by a business rule",
            detail: findings.map { "\($0.name): \($0.reason)" }.joined(separator: "; "), category: .validation,
            invalidParams: findings)
    }

    /// Malformed input (format, length, range): 400, every finding named.
    public static func fail(_ findings: [InvalidParam]) throws {
        guard findings.isEmpty else {
            throw Problem.validation(findings.map { "\($0.name): \($0.reason)" }.joined(separator: "; "), invalidParams: findings)
        }
    }
}
