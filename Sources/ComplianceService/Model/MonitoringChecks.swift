import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Findings of one row, as an error so that a row's outcome is a `Result`.
struct RowFindings: Error {
    let invalidParams: [InvalidParam]
}

extension ComplianceCheck {
    static let maximumThresholds = 50

    static func findings(_ thresholds: [Threshold]?) -> [InvalidParam] {
        guard let thresholds else { return [] }
        var findings: [InvalidParam] = []
        if !(1...maximumThresholds).contains(thresholds.count) {
            findings.append(InvalidParam(name: "thresholds", reason: "1 to \(maximumThresholds), or none for the rule set's"))
        }
        for (index, threshold) in thresholds.enumerated() {
            let name = "thresholds[\(index)]"
            if !isKey(threshold.property) { findings.append(InvalidParam(name: "\(name).property", reason: "lower-case letters, digits and _, starting with a letter")) }
            findings += Check.text(threshold.unit, "\(name).unit", length: 1...16, required: false)
            for (bound, text) in [("minimum", threshold.minimum), ("maximum", threshold.maximum)] where text.map({ !isDecimal($0) }) ?? false {
                findings.append(InvalidParam(name: "\(name).\(bound)", reason: "a decimal number as text"))
            }
            if threshold.minimum == nil && threshold.maximum == nil {
                findings.append(InvalidParam(name: "\(name).maximum", reason: "a minimum, a maximum or both"))
            }
        }
        return findings
    }

    /// Thresholds that are well-formed but contradict themselves or each other: refused with 422.
    static func conflicts(_ thresholds: [Threshold]?) -> [InvalidParam] {
        var findings: [InvalidParam] = []
        var properties = Set<String>()
        for (index, threshold) in (thresholds ?? []).enumerated() {
            let name = "thresholds[\(index)]"
            if !properties.insert(threshold.property).inserted { findings.append(InvalidParam(name: "\(name).property", reason: "one threshold per property")) }
            if let low = threshold.minimum.flatMap(decimal), let high = threshold.maximum.flatMap(decimal), low > high {
                findings.append(InvalidParam(name: "\(name).minimum", reason: "not above the maximum"))
            }
        }
        return findings
    }

    /// One uploaded row: `{"property": "temperature", "value": "21.5", "measuredAt": "…"}`.
    static func measurement(_ row: JSONValue, index: Int, now: Date) -> Result<MonitoringStore.Measurement, RowFindings> {
        let name = "measurements[\(index)]"
        guard case .object(let members) = row else {
            return .failure(RowFindings(invalidParams: [InvalidParam(name: name, reason: "an object with property, value and measuredAt")]))
        }
        var findings = members.keys.filter { !MeasurementInput.fields.contains($0) }.sorted().map {
            InvalidParam(name: "\(name).\($0)", reason: "unknown field")
        }
        guard case .string(let property)? = members["property"], isKey(property) else {
            findings.append(InvalidParam(name: "\(name).property", reason: "lower-case letters, digits and _, starting with a letter"))
            return .failure(RowFindings(invalidParams: findings))
        }
        var value: Decimal?
        if case .string(let text)? = members["value"], isDecimal(text) { value = decimal(text) } else {
            findings.append(InvalidParam(name: "\(name).value", reason: "a decimal number as text, such as \"21.5\""))
        }
        var measuredAt = now
        switch members["measuredAt"] {
        case nil, .null?: break
        case .string(let text)? where RFC3339.date(from: text) != nil: measuredAt = RFC3339.date(from: text)!
        default: findings.append(InvalidParam(name: "\(name).measuredAt", reason: "an RFC 3339 timestamp"))
        }
        guard findings.isEmpty, let value, case .string(let text)? = members["value"] else { return .failure(RowFindings(invalidParams: findings)) }
        return .success(MonitoringStore.Measurement(property: property, text: text, value: value, measuredAt: measuredAt))
    }
}
