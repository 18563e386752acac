import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Articles, batches, partners and warehouses of each tenant. Every query names its tenant.
struct MasterDataStore: Sendable {
    let database: any SQLDatabase
    let cache: MasterDataCache

    /// - Parameter shared: other processes may write the same database (split mode).
    init(database: any SQLDatabase, metrics: MetricsRegistry, shared: Bool) {
        self.database = database
        cache = MasterDataCache(metrics: metrics, lifetime: shared ? .seconds(5) : nil)
    }

    enum Table: String, Sendable {
        case articles, batches, partners, warehouses
    }

    /// Inserts a record with its key columns and events; a taken unique key is a 409 naming it.
    func insert(
        _ table: Table, tenant: TenantID, id: EntityID, columns: [String: DatabaseValue], document: some Encodable & Sendable,
        events: [EventEnvelope], also: (@Sendable (any SQLExecutor) throws -> Void)? = nil
    ) async throws {
        let names = ["tenant_id", "id", "document"] + columns.keys.sorted()
        let values: [DatabaseValue] = [.text(tenant.description), .text(id.description), try Documents.encode(document)]
            + columns.keys.sorted().map { columns[$0]! }
        let marks = Array(repeating: "?", count: names.count).joined(separator: ", ")
        do {
            try await database.write { tx in
                try tx.execute("INSERT INTO \(table.rawValue) (\(names.joined(separator: ", "))) VALUES (\(marks))", values)
                try also?(tx)
                try Outbox.append(events, in: tx)
            }
        } catch let error as any SQLFailure where error.isUniqueViolation {
            throw Problem.conflict(ProblemCode(rawValue: "\(table.rawValue)_duplicate"), "A record with this \(Self.uniqueField(table)) exists already.")
        }
    }

    /// Replaces a record's document when its version is still `expectedVersion` (optimistic lock).
    func replace(
        _ table: Table, tenant: TenantID, id: EntityID, columns: [String: DatabaseValue], document: some Encodable & Sendable,
        expectedVersion: Int, events: [EventEnvelope]
    ) async throws -> Bool {
        let assignments = (["document"] + columns.keys.sorted()).map { "\($0) = ?" }.joined(separator: ", ")
        let key: [DatabaseValue] = [.text(tenant.description), .text(id.description)]
        let values: [DatabaseValue] = [try Documents.encode(document)] + columns.keys.sorted().map { columns[$0]! } + key
        let replaced = try await database.write { tx in
            // The version is read from the stored document here, in the same write as the update
            // (no JSON functions in SQL: SQLite and PostgreSQL spell them differently).
            guard let row = try tx.query("SELECT document FROM \(table.rawValue) WHERE tenant_id = ? AND id = ?", key).first,
                try Documents.decode(StoredVersion.self, from: row).version == expectedVersion
            else { return false }
            try tx.execute("UPDATE \(table.rawValue) SET \(assignments) WHERE tenant_id = ? AND id = ?", values)
            guard try tx.changes() == 1 else { return false }
            try Outbox.append(events, in: tx)
            return true
        }
        cache.invalidate(tenant, id)
        return replaced
    }

    func find<T: Decodable & Sendable>(_ type: T.Type, in table: Table, tenant: TenantID, id: EntityID) async throws -> T? {
        try await database.read { reader in
            try reader.query(
                "SELECT document FROM \(table.rawValue) WHERE tenant_id = ? AND id = ?", [.text(tenant.description), .text(id.description)]
            ).first.map { try Documents.decode(T.self, from: $0) }
        }
    }

    /// An article, batch or partner by ID: from the cache when there, else read and kept.
    func cachedFind<T: Decodable & Sendable>(_ type: T.Type, in table: Table, tenant: TenantID, id: EntityID) async throws -> T? {
        if let cached = cache.record(tenant, id)?.value as? T { return cached }
        let generation = cache.generation
        let found = try await find(T.self, in: table, tenant: tenant, id: id)
        if let found, let record = MasterDataCache.Record(found) { cache.fill([.init(tenant: tenant, id: id): record], readAt: generation) }
        return found
    }

    /// Several records by ID.
    func find<T: Decodable & Sendable>(_ type: T.Type, in table: Table, tenant: TenantID, ids: Set<EntityID>) async throws -> [EntityID: T] {
        guard !ids.isEmpty else { return [:] }
        return try await database.read { try Self.documents(T.self, in: table, tenant: tenant, ids: ids, reader: $0) }
    }

    /// Several records by ID, inside a read the caller holds.
    static func documents<T: Decodable>(_ type: T.Type, in table: Table, tenant: TenantID, ids: Set<EntityID>, reader: any SQLExecutor) throws -> [EntityID: T] {
        guard !ids.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        var found: [EntityID: T] = [:]
        try reader.forEachRow(
            "SELECT id, document FROM \(table.rawValue) WHERE tenant_id = ? AND id IN (\(marks))",
            [.text(tenant.description)] + ids.map { .text($0.description) }
        ) { row in
            if let id = EntityID(try row.requireString("id")) { found[id] = try Documents.decode(T.self, from: row) }
        }
        return found
    }

    /// One page in ID (creation) order, with equality filters on key columns.
    func page<T: Decodable & Sendable & Encodable>(
        _ type: T.Type, in table: Table, tenant: TenantID, filters: [(column: String, value: DatabaseValue)], page: PageRequest
    ) async throws -> Page<T> {
        let conditions = filters.map { " AND \($0.column) = ?" }.joined()
        let binds: [DatabaseValue] = [.text(tenant.description), .text(page.cursor ?? "")] + filters.map(\.value) + [.integer(page.limit + 1)]
        let rows = try await database.read { reader in
            try reader.query(
                "SELECT id, document FROM \(table.rawValue) WHERE tenant_id = ? AND id > ?\(conditions) ORDER BY id LIMIT ?", binds)
        }
        return try Page(rows: rows, limit: page.limit) { try Documents.decode(T.self, from: $0) }
    }

    /// Storage locations that exist among `ids`, inside a read the caller holds.
    static func existingLocations(tenant: TenantID, ids: Set<EntityID>, reader: any SQLExecutor) throws -> Set<EntityID> {
        guard !ids.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        return Set(try reader.query(
            "SELECT id FROM storage_locations WHERE tenant_id = ? AND id IN (\(marks))",
            [.text(tenant.description)] + ids.map { .text($0.description) }
        ).compactMap { $0["id"].string.flatMap(EntityID.init) })
    }

    /// The `version` member of a stored document; `nil` when it has none.
    private struct StoredVersion: Decodable {
        let version: Int?
    }

    private static func uniqueField(_ table: Table) -> String {
        switch table {
        case .articles: "SKU"
        case .batches: "batch number for the article"
        case .partners: "ID"
        case .warehouses: "code"
        }
    }
}
