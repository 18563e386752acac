import ERPKernel
import Foundation

/// The rule sets a tenant starts with (version 1), after the seed's examples. An admin replaces
/// them with the tenant's own through `PUT /api/v1/compliance/rule-sets/{checkType}`.
enum DefaultRuleSets {
    static func ruleSet(_ type: CheckType, at date: Date) -> RuleSet {
        switch type {
        case .qs:
            RuleSet(checkType: .qs, version: 1, name: "QS Getreide und Futtermittel (Standard)", rules: [
                measurement("moisture", "Feuchte", "%", "8", "12", .critical),
                measurement("contamination", "Verunreinigung / Besatz", "%", nil, "0.1", .critical),
                measurement("storage_temperature", "Lagertemperatur", "°C", "18", "22", .major),
                document("hygiene_log", "Hygieneprotokoll", ["cleaningDate", "responsiblePerson", "measures"], .major),
            ], createdBy: nil, createdAt: date)
        case .gmpPlus:
            RuleSet(checkType: .gmpPlus, version: 1, name: "GMP+ FSA Futtermittel (Standard)", rules: [
                measurement("transport_temperature", "Transporttemperatur", "°C", "15", "25", .major),
                measurement("transport_humidity", "Luftfeuchte beim Transport", "%", "40", "60", .major),
                measurement("contamination", "Verunreinigung / Besatz", "%", nil, "0.1", .critical),
                document("haccp", "HACCP-Dokumentation", ["plan", "reviewedOn", "responsiblePerson"], .critical),
                document("hygiene_log", "Hygieneprotokoll", ["cleaningDate", "responsiblePerson", "measures"], .major),
            ], createdBy: nil, createdAt: date)
        case .eu:
            RuleSet(checkType: .eu, version: 1, name: "EU-Recht: Rückverfolgbarkeit und Erklärungen (Standard)", rules: [
                document("certificate", "Zertifikat des Lieferanten", ["issuer", "number", "validUntil"], .critical),
                document("declaration", "Konformitätserklärung", ["declaredBy", "date"], .major),
                document("origin", "Herkunftsnachweis", ["supplier", "deliveryNote"], .critical),
            ], createdBy: nil, createdAt: date)
        }
    }

    private static func measurement(
        _ key: String, _ label: String, _ unit: String, _ minimum: String?, _ maximum: String?, _ severity: RuleSeverity
    ) -> Rule {
        Rule(key: key, label: label, kind: .measurement, severity: severity, unit: unit, minimum: minimum, maximum: maximum, requiredFields: nil)
    }

    private static func document(_ key: String, _ label: String, _ fields: [String], _ severity: RuleSeverity) -> Rule {
        Rule(key: key, label: label, kind: .document, severity: severity, unit: nil, minimum: nil, maximum: nil, requiredFields: fields)
    }
}
