import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Monitors, their measurements and the alerts their breaches open, in the Compliance DB.
struct MonitoringStore: Sendable {
    let database: any SQLDatabase

    /// One valid row of an upload.
    struct Measurement: Sendable {
        let property: String
        let text: String
        let value: Decimal
        let measuredAt: Date
    }

    /// Starts monitoring `target`; without thresholds, with the measurement rules of the current
    /// rule set of `checkType`.
    func start(
        target: MonitorTarget, thresholds: [Threshold]?, checkType: CheckType, actor: EntityID, tenant: TenantID, trace: TraceContext?,
        also: (@Sendable (any SQLExecutor, Monitor) throws -> Void)? = nil
    ) async throws -> Monitor {
        try await database.write { tx in
            let bounds = try thresholds ?? RuleSetStore.current(checkType, tenant: tenant, in: tx).rules.filter { $0.kind == .measurement }.map {
                Threshold(property: $0.key, unit: $0.unit, minimum: $0.minimum, maximum: $0.maximum, severity: $0.severity == .critical ? .critical : .warning)
            }
            let monitor = Monitor(
                id: .generate(), target: target, thresholds: bounds, active: true, startedBy: actor, startedAt: Date.nowInWholeSeconds)
            try tx.execute(
                "INSERT INTO monitors (tenant_id, id, target_kind, target_id, active, document) VALUES (?, ?, ?, ?, 1, ?)",
                [.text(tenant.description), .text(monitor.id.description), .text(target.kind.rawValue), .text(target.id.description),
                 try Documents.encode(monitor)])
            try Outbox.append([ComplianceEvents.monitor(monitor, tenant: tenant, trace: trace)], in: tx)
            try also?(tx, monitor)
            return monitor
        }
    }

    func stop(
        _ id: EntityID, actor: EntityID, tenant: TenantID, trace: TraceContext?, also: (@Sendable (any SQLExecutor, Monitor) throws -> Void)? = nil
    ) async throws -> Monitor? {
        try await database.write { tx in
            guard var monitor = try Self.monitor(id, tenant: tenant, in: tx) else { return nil }
            guard monitor.active else {
                try also?(tx, monitor)
                return monitor
            }
            monitor.active = false
            monitor.stoppedBy = actor
            monitor.stoppedAt = Date.nowInWholeSeconds
            try tx.execute(
                "UPDATE monitors SET active = 0, document = ? WHERE tenant_id = ? AND id = ?",
                [try Documents.encode(monitor), .text(tenant.description), .text(id.description)])
            try Outbox.append([ComplianceEvents.monitor(monitor, tenant: tenant, trace: trace)], in: tx)
            try also?(tx, monitor)
            return monitor
        }
    }

    func monitor(_ id: EntityID, tenant: TenantID) async throws -> Monitor? {
        try await database.read { try Self.monitor(id, tenant: tenant, in: $0) }
    }

    func monitors(tenant: TenantID, active: Bool?, page: PageRequest) async throws -> Page<Monitor> {
        try await database.read { reader in
            let rows = try reader.query(
                "SELECT id, document FROM monitors WHERE tenant_id = ? AND id > ? AND (CAST(? AS INTEGER) IS NULL OR active = ?) ORDER BY id LIMIT ?",
                [.text(tenant.description), .text(page.cursor ?? ""), active.map { .integer($0 ? 1 : 0) } ?? .null,
                 active.map { .integer($0 ? 1 : 0) } ?? .null, .integer(page.limit + 1)])
            return try Page(rows: rows, limit: page.limit) { try Documents.decode(Monitor.self, from: $0) }
        }
    }

    /// Stores the rows and opens (or adds to) an alert per property whose bound they break.
    /// - Returns: the alerts opened or changed; `nil` when there is no such monitor.
    /// - Throws: 409 when the monitor was stopped.
    func record(
        _ rows: [Measurement], monitor id: EntityID, tenant: TenantID, trace: TraceContext?,
        also: (@Sendable (any SQLExecutor, [Alert]) throws -> Void)? = nil
    ) async throws -> [Alert]? {
        try await database.write { tx in
            guard let monitor = try Self.monitor(id, tenant: tenant, in: tx) else { return nil }
            guard monitor.active else { throw Problem.conflict("monitor_stopped", "Monitor \(id) was stopped; start a new one.") }
            for row in rows {
                try tx.execute(
                    "INSERT INTO measurements (tenant_id, monitor_id, property, value, measured_at) VALUES (?, ?, ?, ?, ?)",
                    [.text(tenant.description), .text(id.description), .text(row.property), .text(row.text),
                     .text(RFC3339.string(from: row.measuredAt))])
            }
            var breaches: [String: (count: Int, last: Measurement, threshold: Threshold)] = [:]
            for threshold in monitor.thresholds {
                for row in rows where row.property == threshold.property && !Self.within(row.value, threshold) {
                    let earlier = breaches[threshold.property]
                    let last = earlier.map { $0.last.measuredAt > row.measuredAt ? $0.last : row } ?? row
                    breaches[threshold.property] = ((earlier?.count ?? 0) + 1, last, threshold)
                }
            }
            var alerts: [Alert] = []
            for (property, breach) in breaches.sorted(by: { $0.key < $1.key }) {
                alerts.append(try Self.raise(property, breach.count, breach.last, breach.threshold, monitor: monitor, tenant: tenant, trace: trace, in: tx))
            }
            try also?(tx, alerts)
            return alerts
        }
    }

    /// A stored measurement, as listed.
    struct StoredMeasurement: Codable, Sendable {
        let property: String
        let value: String
        let measuredAt: Date
    }

    /// A monitor's measurements in time order, optionally of one property. The cursor is the
    /// last row's time and row number, so a page follows the monitor's index.
    func measurements(of monitor: EntityID, property: String?, tenant: TenantID, page: PageRequest) async throws -> Page<StoredMeasurement> {
        let (after, row): (String, Int) = page.cursor.flatMap { cursor in
            let parts = cursor.split(separator: "|")
            guard parts.count == 2, let row = Int(parts[1]) else { return nil }
            return (String(parts[0]), row)
        } ?? ("", 0)
        return try await database.read { reader in
            // SQLite numbers the rows itself; the PostgreSQL table has a column for it.
            let position = reader.dialect == .sqlite ? "rowid" : "seq"
            let rows = try reader.query(
                """
                SELECT property, value, measured_at, measured_at || '|' || \(position) AS cursor FROM measurements
                WHERE tenant_id = ? AND monitor_id = ? AND (measured_at > ? OR (measured_at = ? AND \(position) > ?))
                AND (CAST(? AS TEXT) IS NULL OR property = ?)
                ORDER BY measured_at, \(position) LIMIT ?
                """,
                [.text(tenant.description), .text(monitor.description), .text(after), .text(after), .integer(row),
                 property.map { .text($0) } ?? .null, property.map { .text($0) } ?? .null, .integer(page.limit + 1)])
            return try Page(rows: rows, limit: page.limit, cursorColumn: "cursor") { row in
                StoredMeasurement(
                    property: try row.requireString("property"), value: try row.requireString("value"),
                    measuredAt: RFC3339.date(from: try row.requireString("measured_at")) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    func alerts(tenant: TenantID, status: AlertStatus?, page: PageRequest) async throws -> Page<Alert> {
        try await database.read { reader in
            let rows = try reader.query(
                "SELECT id, document FROM alerts WHERE tenant_id = ? AND id > ? AND (CAST(? AS TEXT) IS NULL OR status = ?) ORDER BY id LIMIT ?",
                [.text(tenant.description), .text(page.cursor ?? ""), status.map { .text($0.rawValue) } ?? .null,
                 status.map { .text($0.rawValue) } ?? .null, .integer(page.limit + 1)])
            return try Page(rows: rows, limit: page.limit) { try Documents.decode(Alert.self, from: $0) }
        }
    }

    func alert(_ id: EntityID, tenant: TenantID) async throws -> Alert? {
        try await database.read { try Self.alert(id, tenant: tenant, in: $0) }
    }

    /// Acknowledges or resolves an alert: open → acknowledged → resolved, or open → resolved.
    /// - Throws: 409 for any other step.
    func move(
        _ id: EntityID, to status: AlertStatus, note: String?, actor: EntityID, tenant: TenantID, trace: TraceContext?,
        also: (@Sendable (any SQLExecutor, Alert) throws -> Void)? = nil
    ) async throws -> Alert? {
        try await database.write { tx in
            guard var alert = try Self.alert(id, tenant: tenant, in: tx) else { return nil }
            let allowed: Set<AlertStatus> = switch alert.status {
            case .open: [.acknowledged, .resolved]
            case .acknowledged: [.resolved]
            case .resolved: []
            }
            guard allowed.contains(status) else {
                throw Problem.conflict("alert_status_transition", "Alert \(id) is \(alert.status.rawValue) and cannot become \(status.rawValue).")
            }
            let now = Date.nowInWholeSeconds
            alert.status = status
            if status == .acknowledged { (alert.acknowledgedBy, alert.acknowledgedAt) = (actor, now) }
            if status == .resolved { (alert.resolvedBy, alert.resolvedAt) = (actor, now) }
            if let note { alert.note = note }
            alert.version += 1
            try Self.save(alert, tenant: tenant, in: tx)
            try Outbox.append([ComplianceEvents.alert(alert, tenant: tenant, trace: trace)], in: tx)
            try also?(tx, alert)
            return alert
        }
    }

    // MARK: - Rows

    static func within(_ value: Decimal, _ threshold: Threshold) -> Bool {
        (threshold.minimum.flatMap(ComplianceCheck.decimal).map { value >= $0 } ?? true)
            && (threshold.maximum.flatMap(ComplianceCheck.decimal).map { value <= $0 } ?? true)
    }

    private static func raise(
        _ property: String, _ count: Int, _ last: Measurement, _ threshold: Threshold, monitor: Monitor, tenant: TenantID,
        trace: TraceContext?, in tx: any SQLExecutor
    ) throws -> Alert {
        if var alert = try tx.query(
            "SELECT document FROM alerts WHERE tenant_id = ? AND monitor_id = ? AND property = ? AND status <> 'resolved'",
            [.text(tenant.description), .text(monitor.id.description), .text(property)]
        ).first.map({ try Documents.decode(Alert.self, from: $0) }) {
            alert.breaches += count
            if last.measuredAt >= alert.lastMeasuredAt { (alert.lastValue, alert.lastMeasuredAt) = (last.text, last.measuredAt) }
            alert.version += 1
            try save(alert, tenant: tenant, in: tx)
            return alert
        }
        let alert = Alert(
            id: .generate(), monitorId: monitor.id, target: monitor.target, property: property, severity: threshold.severity, status: .open,
            threshold: threshold, breaches: count, lastValue: last.text, lastMeasuredAt: last.measuredAt, openedAt: Date.nowInWholeSeconds,
            version: 1)
        try save(alert, tenant: tenant, in: tx)
        try Outbox.append([ComplianceEvents.alert(alert, tenant: tenant, trace: trace)], in: tx)
        return alert
    }

    private static func save(_ alert: Alert, tenant: TenantID, in tx: any SQLExecutor) throws {
        try tx.execute(
            """
            INSERT INTO alerts (tenant_id, id, monitor_id, property, status, document) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, document = excluded.document
            """,
            [.text(tenant.description), .text(alert.id.description), .text(alert.monitorId.description), .text(alert.property),
             .text(alert.status.rawValue), try Documents.encode(alert)])
    }

    private static func monitor(_ id: EntityID, tenant: TenantID, in tx: any SQLExecutor) throws -> Monitor? {
        try tx.query("SELECT document FROM monitors WHERE tenant_id = ? AND id = ?", [.text(tenant.description), .text(id.description)])
            .first.map { try Documents.decode(Monitor.self, from: $0) }
    }

    private static func alert(_ id: EntityID, tenant: TenantID, in tx: any SQLExecutor) throws -> Alert? {
        try tx.query("SELECT document FROM alerts WHERE tenant_id = ? AND id = ?", [.text(tenant.description), .text(id.description)])
            .first.map { try Documents.decode(Alert.self, from: $0) }
    }
}
