import ERPKernel
import Foundation

/// Field checks that return findings instead of throwing, so a request hears of every problem at once.
enum Check {
    static func text(_ value: String?, _ name: String, length: ClosedRange<Int>, required: Bool = true) -> [InvalidParam] {
        guard let value else { return required ? [InvalidParam(name: name, reason: "required")] : [] }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard length.contains(value.count), !trimmed.isEmpty || length.lowerBound == 0 else {
            return [InvalidParam(name: name, reason: "\(length.lowerBound) to \(length.upperBound) characters, not blank")]
        }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return [InvalidParam(name: name, reason: "no control characters")]
        }
        return []
    }

    static let codeCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/")

    /// SKUs, batch numbers and codes: letters, digits and `. _ - /`.
    static func code(_ value: String, _ name: String) -> [InvalidParam] {
        guard (1...64).contains(value.count), value.unicodeScalars.allSatisfy(codeCharacters.contains) else {
            return [InvalidParam(name: name, reason: "1 to 64 letters, digits or . _ - /")]
        }
        return []
    }

    /// A real calendar date written `YYYY-MM-DD`.
    static func date(_ value: String?, _ name: String, required: Bool = false) -> [InvalidParam] {
        guard let value else { return required ? [InvalidParam(name: name, reason: "required")] : [] }
        return isDate(value) ? [] : [InvalidParam(name: name, reason: "a date YYYY-MM-DD")]
    }

    static func isDate(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1900...2999).contains(year), (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    static func taxCode(_ value: String, _ name: String) -> [InvalidParam] {
        SKR03.taxCodesByCode[value] == nil
            ? [InvalidParam(name: name, reason: "one of \(SKR03.taxCodes.map(\.code).joined(separator: ", "))")] : []
    }

    /// Well-formed input that breaks a business rule the schema cannot state (a rule across
    /// fields, a reference to something that does not exist): 422, every finding named.
    static func refuse(_ findings: [InvalidParam]) throws {
        guard findings.isEmpty else { throw refusal(findings) }
    }

    static func refusal(_ findings: [InvalidParam]) -> Problem {
        Problem(
            status: 422, code: "business_rule_violated", title: "Request refused by a business rule",
            detail: findings.map { "\($0.name): \($0.reason)" }.joined(separator: "; "), category: .validation,
            invalidParams: findings)
    }

    /// Malformed input (format, length, range): 400, every finding named.
    static func fail(_ findings: [InvalidParam]) throws {
        guard findings.isEmpty else {
            throw Problem.validation(findings.map { "\($0.name): \($0.reason)" }.joined(separator: "; "), invalidParams: findings)
        }
    }
}
