import ERPKernel
import Foundation

/// Moves one tenant's data to another shard while the services keep running, losing no write.
///
/// 1. The source shard marks the tenant `moving`: from its commit on, every write for the
///    tenant there fails its fence check and waits (in `ShardedDatabase`) for the move; reads
///    go on, since the data cannot change any more.
/// 2. The rows are copied to the target in batches. The target does not hold the tenant yet,
///    so nothing reads or writes them there; once all are there, it takes the tenant.
/// 3. The source marks the tenant `moved` (reads stop too), the directory names the target,
///    and the waiting writes go there. Last, the source's copy is deleted.
///
/// Each step can be run again: a move cut off half-way is finished by running it once more.
public struct TenantMove: Sendable {
    public let database: ShardedDatabase
    public let tenant: TenantID
    public let target: Int
    /// The services whose outbox events travel with the tenant (the home shard's outbox also
    /// holds events of services that are not sharded).
    public let sources: [String]
    /// Called with a line for each step and each table copied.
    public let progress: @Sendable (String) -> Void

    /// Rows per copying statement: 500 rows of the widest table stay far below PostgreSQL's
    /// 65,535 binds per statement.
    static let batchRows = 500

    public init(database: ShardedDatabase, tenant: TenantID, target: Int, sources: [String], progress: @escaping @Sendable (String) -> Void) {
        self.database = database
        self.tenant = tenant
        self.target = target
        self.sources = sources
        self.progress = progress
    }

    /// - Returns: the number of rows copied.
    @discardableResult
    public func run() async throws -> Int {
        guard database.dialect == .postgresql else { throw ShardingError("tenants move between PostgreSQL shards only") }
        guard database.shards.indices.contains(target) else {
            throw ShardingError("there is no shard \(target); the shards are 0 to \(database.shards.count - 1)")
        }
        let tables = try await TenantTable.shared(by: database.shards)
        var copied = 0
        let named = try await database.directory.recorded(tenant)
        if let source = named, source != target {
            copied = try await move(from: source, tables: tables)
        } else if named == nil {
            try await database.shards[target].write { try ShardState.take(tenant, in: $0) }
            try await database.directory.record(tenant, on: target)
            progress("\(tenant) had no data yet; it is now on shard \(target)")
        } else {
            progress("\(tenant) is on shard \(target) already")
        }
        // A move cut off after the directory changed left the old copy behind.
        for index in database.shards.indices where index != target {
            if try await ShardState.of(tenant, in: database.shards[index]) == "moved" {
                try await deleteCopy(on: index, tables: tables)
            }
        }
        return copied
    }

    private func move(from source: Int, tables: [TenantTable]) async throws -> Int {
        let from = database.shards[source], to = database.shards[target]
        let state = try await from.write { try ShardState.fence(tenant, in: $0) }
        progress("writes of \(tenant) held on shard \(source) (\(state))")
        var copied = 0
        if try await ShardState.of(tenant, in: to) != "active" {
            // What an earlier, cut-off attempt copied; on the home shard its own shared rows stay.
            try await to.write { [tables, tenant, sources, target] tx in
                for table in tables.reversed() where !(target == 0 && table.isKeptOnHome) {
                    try table.delete(tenant, sources: sources, in: tx)
                }
            }
            for table in tables {
                let rows = try await copy(table, from: from, to: to)
                progress("\(table.name): \(rows) rows")
                copied += rows
            }
            try await to.write { [tenant] in try ShardState.take(tenant, in: $0) }
        }
        try await from.write { [tenant] in try ShardState.set(tenant, "moved", in: $0) }
        try await database.directory.record(tenant, on: target)
        progress("\(tenant) is on shard \(target); \(copied) rows copied")
        return copied
    }

    /// Copies one table's rows of the tenant in primary-key order.
    private func copy(_ table: TenantTable, from: any SQLDatabase, to: any SQLDatabase) async throws -> Int {
        var after: [DatabaseValue]? = nil
        var count = 0
        while true {
            let page = try await from.read { [tenant, sources, after] in try table.page(of: tenant, sources: sources, after: after, limit: Self.batchRows, in: $0) }
            if !page.isEmpty { try await to.write { try table.insert(page, in: $0) } }
            count += page.count
            if page.count < Self.batchRows { return count }
            after = table.key(of: page[page.count - 1])
        }
    }

    private func deleteCopy(on index: Int, tables: [TenantTable]) async throws {
        try await database.shards[index].write { [tenant, sources] tx in
            // Lets the ledger's GoBD triggers allow this one deletion of the copy left behind.
            try tx.execute("SELECT set_config('neuroerp.moving_tenant', ?, true)", [.text(tenant.description)])
            for table in tables.reversed() where !(index == 0 && table.isKeptOnHome) {
                try table.delete(tenant, sources: sources, in: tx)
            }
            try tx.execute("DELETE FROM shard_tenants WHERE tenant_id = ?", [.text(tenant.description)])
        }
        progress("the copy of \(tenant) left on shard \(index) is deleted")
    }
}

/// A shard's record of one tenant.
enum ShardState {
    static func of(_ tenant: TenantID, in database: any SQLDatabase) async throws -> String? {
        try await database.read { try $0.query("SELECT state FROM shard_tenants WHERE tenant_id = ?", [.text(tenant.description)]).first?["state"].string }
    }

    /// Marks the tenant `moving` unless it is already on its way.
    /// - Returns: the state it is in now.
    static func fence(_ tenant: TenantID, in tx: any SQLExecutor) throws -> String {
        try tx.execute(
            "UPDATE shard_tenants SET state = 'moving', changed_at = ? WHERE tenant_id = ? AND state = 'active'",
            [.text(RFC3339.string(from: Date())), .text(tenant.description)])
        guard let state = try tx.query("SELECT state FROM shard_tenants WHERE tenant_id = ?", [.text(tenant.description)]).first?["state"].string else {
            throw ShardingError("the directory names a shard for \(tenant) that does not hold it")
        }
        return state
    }

    static func set(_ tenant: TenantID, _ state: String, in tx: any SQLExecutor) throws {
        try tx.execute(
            "UPDATE shard_tenants SET state = ?, changed_at = ? WHERE tenant_id = ?",
            [.text(state), .text(RFC3339.string(from: Date())), .text(tenant.description)])
    }

    static func take(_ tenant: TenantID, in tx: any SQLExecutor) throws {
        try tx.execute(
            """
            INSERT INTO shard_tenants (tenant_id, state, changed_at) VALUES (?, 'active', ?)
            ON CONFLICT (tenant_id) DO UPDATE SET state = 'active', changed_at = excluded.changed_at
            """,
            [.text(tenant.description), .text(RFC3339.string(from: Date()))])
    }
}
