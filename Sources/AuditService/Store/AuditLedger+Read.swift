import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// What `GET /api/v1/audit/events` filters by; every part optional.
struct AuditFilter: Sendable {
    var resourceType: String?
    var resourceId: String?
    var actor: String?
    var action: String?
    /// RFC 3339 with milliseconds, as stored: text order is time order.
    var from: String?
    var to: String?
}

extension AuditLedger {
    /// Checks the tenant's whole trail against its hashes and checkpoints, in one read.
    func verify(tenant: TenantID) async throws -> ChainReport {
        let tenant = tenant.description
        return try await database.read { tx in
            var verifier = ChainVerifier(
                tenant: tenant, publicKey: try CheckpointSigner.publicKey(in: tx),
                checkpoints: try CheckpointSigner.checkpoints(tenant: tenant, in: tx))
            try tx.forEachRow("SELECT \(Self.recordColumns) FROM audit_records WHERE tenant_id = ? ORDER BY seq", [.text(tenant)]) { row in
                verifier.add(try Self.record(row, tenant: tenant))
            }
            return verifier.finish()
        }
    }

    /// A page of the tenant's records in trail order, with who each actor is, as JSON.
    func events(tenant: TenantID, filter: AuditFilter, page: PageRequest) async throws -> Data {
        var conditions = ["r.tenant_id = ?"]
        var binds: [DatabaseValue] = [.text(tenant.description)]
        func condition(_ sql: String, _ value: String?) {
            guard let value else { return }
            conditions.append(sql)
            binds.append(.text(value))
        }
        condition("r.resource_type = ?", filter.resourceType)
        condition("r.resource_id = ?", filter.resourceId)
        condition("r.actor = ?", filter.actor)
        condition("r.action = ?", filter.action)
        condition("r.occurred_at >= ?", filter.from)
        condition("r.occurred_at < ?", filter.to)
        if let cursor = page.cursor {
            // Well-formed by the document (any text), but not a position in this trail: 422.
            guard let after = Int(cursor) else { throw Check.refusal([InvalidParam(name: "cursor", reason: "not a cursor of this list")]) }
            conditions.append("r.seq > ?")
            binds.append(.integer(after))
        }
        binds.append(.integer(page.limit + 1))
        let sql = """
            SELECT r.\(Self.recordColumns.replacingOccurrences(of: ", ", with: ", r.")), a.kind, a.name, a.email, a.pseudonymised_at
            FROM audit_records r LEFT JOIN audit_actors a ON a.tenant_id = r.tenant_id AND a.actor = r.actor
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY r.seq LIMIT ?
            """
        let tenantText = tenant.description
        return try await database.read { [binds] tx in
            let rows = try tx.query(sql, binds)
            var json = JSONWriter(capacity: 1024 * min(rows.count, page.limit) + 64)
            json.object { json in
                json.array("data", rows.prefix(page.limit)) { json, row in
                    guard let record = try? Self.record(row, tenant: tenantText) else { return json.literal("null") }
                    Self.write(record, actor: row.values.suffix(4).map(\.string), into: &json)
                }
                json.fieldOrNull("nextCursor", rows.count > page.limit ? rows[page.limit - 1].values[0].integer.map(String.init) : nil)
            }
            return json.data
        }
    }

    /// One record as the API shows it: `changes` as JSON, the actor with its details.
    static func write(_ record: AuditRecord, actor details: [String?], into json: inout JSONWriter) {
        json.object { json in
            json.field("action", record.action)
            json.object("actor") { json in
                json.field("email", details[2])
                json.field("id", record.actor)
                json.field("kind", details[0] ?? (record.actor.hasPrefix("service:") ? "service" : "unknown"))
                json.field("name", details[1])
                json.field("pseudonymised", details[3] != nil)
            }
            json.key("changes")
            json.literal(record.changes)
            json.fieldOrNull("correlationId", record.correlationId)
            json.field("eventId", record.eventId)
            json.field("hash", record.hash)
            json.field("occurredAt", record.occurredAt)
            json.field("prevHash", record.prevHash)
            json.fieldOrNull("resourceId", record.resourceId)
            json.field("resourceType", record.resourceType)
            json.field("seq", record.seq)
            json.field("source", record.source)
        }
    }

    /// Records after `afterSeq` in trail order, at most `limit`, for an export.
    func records(tenant: TenantID, after afterSeq: Int, limit: Int) async throws -> [AuditRecord] {
        let tenant = tenant.description
        return try await database.read { tx in
            try tx.query(
                "SELECT \(Self.recordColumns) FROM audit_records WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                [.text(tenant), .integer(afterSeq), .integer(limit)]
            ).map { try Self.record($0, tenant: tenant) }
        }
    }

    func checkpoints(tenant: TenantID) async throws -> (key: String?, checkpoints: [AuditCheckpoint]) {
        try await database.read { tx in
            (try CheckpointSigner.publicKey(in: tx)?.rawRepresentation.base64EncodedString(),
             try CheckpointSigner.checkpoints(tenant: tenant.description, in: tx))
        }
    }
}

extension AuditLedger {
    /// Records per export page: large enough to keep the database busy, small enough to hold a
    /// page's lines in memory.
    static let exportPageSize = 2_000

    /// Seals the trail and writes it as JSON Lines up to that checkpoint, a page at a time.
    func export(tenant: TenantID, _ write: ([UInt8]) async throws -> Void) async throws {
        try await seal(tenant: tenant)
        let (key, checkpoints) = try await checkpoints(tenant: tenant)
        let lastSeq = checkpoints.last?.seq ?? 0
        try await write(AuditExport.headerLine(tenant: tenant.description, publicKey: key, exportedAt: RFC3339.now()))
        var after = 0
        var nextCheckpoint = checkpoints.startIndex
        while after < lastSeq {
            let records = try await records(tenant: tenant, after: after, limit: Self.exportPageSize).filter { $0.seq <= lastSeq }
            guard let last = records.last else { break }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(records.count * 600)
            for record in records {
                bytes += AuditExport.line(record)
                while nextCheckpoint < checkpoints.endIndex, checkpoints[nextCheckpoint].seq <= record.seq {
                    bytes += AuditExport.line(checkpoints[nextCheckpoint])
                    nextCheckpoint += 1
                }
            }
            try await write(bytes)
            after = last.seq
        }
    }
}
