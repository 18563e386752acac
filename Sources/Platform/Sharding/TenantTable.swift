import ERPKernel

/// A table that holds rows of tenants, as the move copies it: found in the catalogue, so a
/// table added by a later migration moves with the tenant without anyone listing it.
struct TenantTable: Sendable {
    let name: String
    /// The columns copied; an identity column is left for the target to number.
    let columns: [String]
    /// The primary key, the order the rows are copied in.
    let key: [String]

    /// The platform's tables, which on the home shard also hold rows of services that are not
    /// sharded: a row the target has already stays as it is.
    var isShared: Bool { name == "outbox_events" || name == "idempotency_keys" }

    /// Idempotency keys cannot tell which service recorded them: the home shard keeps all of a
    /// tenant's, as its logins and users need theirs (outbox events name their service).
    var isKeptOnHome: Bool { name == "idempotency_keys" }

    private var tenantColumn: String { name == "idempotency_keys" ? "scope" : "tenant_id" }

    /// The tenant's rows; outbox events only of `sources` and only those not yet published.
    private func filter(_ tenant: TenantID, sources: [String], unpublishedOnly: Bool) -> (sql: String, binds: [DatabaseValue]) {
        guard name == "outbox_events" else { return ("\(tenantColumn) = ?", [.text(tenant.description)]) }
        let marks = Array(repeating: "?", count: sources.count).joined(separator: ", ")
        return (
            "tenant_id = ? AND source IN (\(marks))" + (unpublishedOnly ? " AND published_at IS NULL" : ""),
            [.text(tenant.description)] + sources.map { .text($0) }
        )
    }

    func page(of tenant: TenantID, sources: [String], after: [DatabaseValue]?, limit: Int, in reader: any SQLExecutor) throws -> [DatabaseRow] {
        var (condition, binds) = filter(tenant, sources: sources, unpublishedOnly: true)
        let keyList = key.map(Self.quoted).joined(separator: ", ")
        if let after {
            condition += " AND (\(keyList)) > (\(Array(repeating: "?", count: after.count).joined(separator: ", ")))"
            binds += after
        }
        let selected = (columns + key.filter { !columns.contains($0) }).map(Self.quoted).joined(separator: ", ")
        return try reader.query(
            "SELECT \(selected) FROM \(Self.quoted(name)) WHERE \(condition) ORDER BY \(keyList) LIMIT \(limit)", binds)
    }

    func key(of row: DatabaseRow) -> [DatabaseValue] { key.map { row[$0] } }

    /// Inserts `rows` in one statement; rows the home shard has of its own already stay.
    func insert(_ rows: [DatabaseRow], in tx: any SQLExecutor) throws {
        guard !rows.isEmpty else { return }
        let marks = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let values = Array(repeating: marks, count: rows.count).joined(separator: ", ")
        try tx.execute(
            "INSERT INTO \(Self.quoted(name)) (\(columns.map(Self.quoted).joined(separator: ", "))) VALUES \(values)"
                + (isShared ? " ON CONFLICT DO NOTHING" : ""),
            rows.flatMap { row in columns.map { row[$0] } })
    }

    func delete(_ tenant: TenantID, sources: [String], in tx: any SQLExecutor) throws {
        let (condition, binds) = filter(tenant, sources: sources, unpublishedOnly: false)
        try tx.execute("DELETE FROM \(Self.quoted(name)) WHERE \(condition)", binds)
    }

    private static func quoted(_ identifier: String) -> String { "\"\(identifier)\"" }

    /// The tables every shard has that hold tenants' rows, parents before the tables whose
    /// foreign keys point at them. Only the sharded services' tables are on every shard: the
    /// home shard's other tables (logins, users) stay where they are.
    static func shared(by shards: [any SQLDatabase]) async throws -> [TenantTable] {
        var common: Set<String>? = nil
        for shard in shards {
            let names = try await shard.read { reader in
                try reader.query(
                    """
                    SELECT DISTINCT table_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND column_name = 'tenant_id'
                        AND table_name NOT IN ('shard_tenants', 'tenant_shards')
                    """
                ).compactMap { $0["table_name"].string } + ["idempotency_keys"]
            }
            common = common.map { $0.intersection(names) } ?? Set(names)
        }
        let names = common ?? []
        return try await shards[shards.count - 1].read { reader in
            let parents = Dictionary(grouping: try reader.query(
                """
                SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint
                WHERE contype = 'f' AND connamespace = CAST(current_schema() AS regnamespace)
                """
            ), by: { $0["child"].string ?? "" }).mapValues { $0.compactMap { $0["parent"].string } }
            return try sortedParentsFirst(names, parents: parents).map { try describe($0, in: reader) }
        }
    }

    private static func describe(_ name: String, in reader: any SQLExecutor) throws -> TenantTable {
        let columns = try reader.query(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'NO' ORDER BY ordinal_position
            """, [.text(name)]
        ).compactMap { $0["column_name"].string }
        let key = try reader.query(
            """
            SELECT a.attname AS name FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(number, position)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.number
            WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary ORDER BY k.position
            """, [.text(quoted(name))]
        ).compactMap { $0["name"].string }
        guard !key.isEmpty else { throw ShardingError("table \(name) has no primary key, so it cannot be copied in order") }
        return TenantTable(name: name, columns: columns, key: key)
    }

    private static func sortedParentsFirst(_ names: Set<String>, parents: [String: [String]]) throws -> [String] {
        var sorted: [String] = []
        var placed = Set<String>()
        var remaining = names.sorted()
        while !remaining.isEmpty {
            let ready = remaining.filter { name in (parents[name] ?? []).allSatisfy { $0 == name || placed.contains($0) || !names.contains($0) } }
            guard !ready.isEmpty else { throw ShardingError("the foreign keys among \(remaining) form a cycle") }
            sorted += ready
            placed.formUnion(ready)
            remaining.removeAll { placed.contains($0) }
        }
        return sorted
    }
}
