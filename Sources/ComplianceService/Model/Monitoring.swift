import ERPKernel
import Foundation
import ServiceRuntime

/// What a monitor watches: a batch, or a storage location such as a silo.
struct MonitorTarget: Codable, Sendable, Equatable, KnownFields {
    static let fields: Set<String> = ["kind", "id"]
    enum Kind: String, Codable, Sendable, CaseIterable { case batch, location }
    let kind: Kind
    let id: EntityID
}

enum AlertSeverity: String, Codable, Sendable, CaseIterable {
    case warning, critical
}

/// A bound on one measured property; a value outside it opens an alert.
struct Threshold: Codable, Sendable, Equatable, KnownFields {
    static let fields: Set<String> = ["property", "unit", "minimum", "maximum", "severity"]
    let property: String
    let unit: String?
    let minimum: String?
    let maximum: String?
    let severity: AlertSeverity
}

struct Monitor: Codable, Sendable, Equatable {
    let id: EntityID
    let target: MonitorTarget
    let thresholds: [Threshold]
    var active: Bool
    let startedBy: EntityID
    let startedAt: Date
    var stoppedBy: EntityID?
    var stoppedAt: Date?
}

enum AlertStatus: String, Codable, Sendable, CaseIterable {
    case open, acknowledged, resolved
}

/// A threshold breach: open until someone acknowledges and resolves it. Further breaches of
/// the same property count into the alert that is not resolved yet.
struct Alert: Codable, Sendable, Equatable {
    let id: EntityID
    let monitorId: EntityID
    let target: MonitorTarget
    let property: String
    var severity: AlertSeverity
    var status: AlertStatus
    let threshold: Threshold
    var breaches: Int
    var lastValue: String
    var lastMeasuredAt: Date
    let openedAt: Date
    var acknowledgedBy: EntityID?
    var acknowledgedAt: Date?
    var resolvedBy: EntityID?
    var resolvedAt: Date?
    var note: String?
    var version: Int
}

// MARK: - Requests

struct NewMonitorRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["target", "thresholds", "checkType"]
    let target: Strict<MonitorTarget>
    /// When absent, the measurement rules of the current rule set of `checkType` (default QS).
    let thresholds: [Strict<Threshold>]?
    let checkType: CheckType?
}

struct MeasurementInput: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["property", "value", "measuredAt"]
    let property: String
    let value: String
    let measuredAt: String?
}

/// A row of a measurement upload, decoded leniently: each row's problems are reported on their own.
struct MeasurementsRequest: Decodable, Sendable {
    let measurements: [JSONValue]
}

struct AlertNoteRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["note"]
    let note: String?
}

/// The answer to a measurement upload: how many rows were stored, each refused row with its
/// problems, and the alerts the breaches opened or added to.
struct MeasurementReceipt: Codable, Sendable {
    let accepted: Int
    let rejected: [RejectedRow]
    let alerts: [Alert]

    struct RejectedRow: Codable, Sendable {
        let index: Int
        let invalidParams: [InvalidParam]
    }
}
