import ERPKernel
import Foundation
import ServiceRuntime

/// Shape checks of rule sets and check submissions, each finding naming its field.
extension ComplianceCheck {
    static let maximumRules = 100
    static let maximumValues = 200

    static func findings(_ request: RuleSetRequest) -> [InvalidParam] {
        var findings = Check.text(request.name, "name", length: 1...200)
        if !(1...maximumRules).contains(request.rules.count) { findings.append(InvalidParam(name: "rules", reason: "1 to \(maximumRules) rules")) }
        for (index, rule) in request.rules.map(\.value).enumerated() {
            let name = "rules[\(index)]"
            if !isKey(rule.key) { findings.append(InvalidParam(name: "\(name).key", reason: "lower-case letters, digits and _, starting with a letter")) }
            findings += Check.text(rule.label, "\(name).label", length: 1...200)
            switch rule.kind {
            case .measurement:
                findings += Check.text(rule.unit, "\(name).unit", length: 1...16, required: false)
                for (bound, text) in [("minimum", rule.minimum), ("maximum", rule.maximum)] where text.map({ !isDecimal($0) }) ?? false {
                    findings.append(InvalidParam(name: "\(name).\(bound)", reason: "a decimal number as text"))
                }
                if rule.minimum == nil && rule.maximum == nil {
                    findings.append(InvalidParam(name: "\(name).maximum", reason: "a measurement needs a minimum, a maximum or both"))
                }
                if rule.requiredFields != nil { findings.append(InvalidParam(name: "\(name).requiredFields", reason: "only documents have fields")) }
            case .document:
                for (bound, value) in [("unit", rule.unit), ("minimum", rule.minimum), ("maximum", rule.maximum)] where value != nil {
                    findings.append(InvalidParam(name: "\(name).\(bound)", reason: "only measurements have one"))
                }
                let fields = rule.requiredFields ?? []
                if fields.count > 20 { findings.append(InvalidParam(name: "\(name).requiredFields", reason: "at most 20")) }
                for (position, field) in fields.enumerated() where !isFieldName(field) {
                    findings.append(InvalidParam(name: "\(name).requiredFields[\(position)]", reason: "letters, digits and _, starting with a letter"))
                }
            }
        }
        return findings
    }

    /// Rules that are well-formed but contradict themselves or each other: refused with 422.
    static func conflicts(_ request: RuleSetRequest) -> [InvalidParam] {
        var findings: [InvalidParam] = []
        var keys = Set<String>()
        for (index, rule) in request.rules.map(\.value).enumerated() {
            let name = "rules[\(index)]"
            if !keys.insert(rule.key).inserted { findings.append(InvalidParam(name: "\(name).key", reason: "used by an earlier rule")) }
            if let low = rule.minimum.flatMap(decimal), let high = rule.maximum.flatMap(decimal), low > high {
                findings.append(InvalidParam(name: "\(name).minimum", reason: "not above the maximum"))
            }
            if let fields = rule.requiredFields, Set(fields).count != fields.count {
                findings.append(InvalidParam(name: "\(name).requiredFields", reason: "each field once"))
            }
        }
        return findings
    }

    static func findings(_ request: BatchCheckRequest) -> [InvalidParam] {
        var findings = Check.text(request.responsiblePerson, "responsiblePerson", length: 1...200)
        let measurements = request.measurements ?? [:]
        let documents = request.documents ?? [:]
        if measurements.count > maximumValues { findings.append(InvalidParam(name: "measurements", reason: "at most \(maximumValues)")) }
        if documents.count > maximumValues { findings.append(InvalidParam(name: "documents", reason: "at most \(maximumValues)")) }
        for (key, value) in measurements.sorted(by: { $0.key < $1.key }) where !isDecimal(value) {
            findings.append(InvalidParam(name: "measurements.\(key)", reason: "a decimal number as text, such as \"10.5\""))
        }
        for (key, entries) in documents.sorted(by: { $0.key < $1.key }) {
            if entries.count > 50 { findings.append(InvalidParam(name: "documents.\(key)", reason: "at most 50 entries")) }
            for (field, text) in entries.sorted(by: { $0.key < $1.key }) {
                findings += Check.text(text, "documents.\(key).\(field)", length: 0...2000)
            }
        }
        return findings
    }

    /// Values the rule set has no rule for: refused, so a misspelt key is not silently "missing".
    static func unknownKeys(_ request: BatchCheckRequest, in ruleSet: RuleSet) -> [InvalidParam] {
        let measurementKeys = Set(ruleSet.rules.filter { $0.kind == .measurement }.map(\.key))
        let documentKeys = Set(ruleSet.rules.filter { $0.kind == .document }.map(\.key))
        let scheme = "\(ruleSet.checkType.rawValue) version \(ruleSet.version)"
        return (request.measurements ?? [:]).keys.sorted().filter { !measurementKeys.contains($0) }.map {
            InvalidParam(name: "measurements.\($0)", reason: "no measurement rule \($0) in \(scheme)")
        } + (request.documents ?? [:]).keys.sorted().filter { !documentKeys.contains($0) }.map {
            InvalidParam(name: "documents.\($0)", reason: "no document rule \($0) in \(scheme)")
        }
    }

    static func isDecimal(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), (1...9).contains(parts[0].count), parts.count == 1 || (1...6).contains(parts[1].count) else { return false }
        return parts.allSatisfy { $0.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
    }

    static func decimal(_ text: String) -> Decimal? { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) }

    static func isKey(_ text: String) -> Bool {
        guard let first = text.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), text.utf8.count <= 64 else { return false }
        return text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    static func isFieldName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic, text.utf8.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
