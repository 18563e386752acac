import ERPKernel
import Foundation
import Synchronization

/// Which shard holds each tenant: the `tenant_shards` table of the home shard, remembered in
/// memory. A remembered entry may go stale when a tenant moves; the shard it points to then
/// refuses the tenant (`TenantElsewhere`) and the entry is looked up again.
public final class ShardDirectory: Sendable {
    private let shards: [any SQLDatabase]
    private let known = Mutex<[TenantID: Int]>([:])

    /// - Parameter shards: the home shard first; a new tenant goes to the shard its ID hashes to.
    public init(shards: [any SQLDatabase]) {
        precondition(!shards.isEmpty, "a directory needs at least the home shard")
        self.shards = shards
    }

    var home: any SQLDatabase { shards[0] }

    /// The shard holding `tenant`, assigning one to a tenant seen for the first time.
    public func shard(of tenant: TenantID) async throws -> Int {
        if let index = known.withLock({ $0[tenant] }) { return index }
        let index: Int
        if let named = try await recorded(tenant) { index = named } else { index = try await assign(tenant) }
        guard shards.indices.contains(index) else {
            throw ShardingError("tenant \(tenant) is on shard \(index), but only \(shards.count) shards are configured")
        }
        known.withLock { $0[tenant] = index }
        return index
    }

    /// Drops what is remembered about `tenant`: the next call reads the directory again.
    public func forget(_ tenant: TenantID) {
        _ = known.withLock { $0.removeValue(forKey: tenant) }
    }

    /// The shard the directory names for `tenant`, `nil` when it names none.
    public func recorded(_ tenant: TenantID) async throws -> Int? {
        try await home.read { reader in
            try reader.query("SELECT shard FROM tenant_shards WHERE tenant_id = ?", [.text(tenant.description)]).first?["shard"].integer
        }
    }

    /// The shard takes the tenant before the directory names it, so no process is ever sent to
    /// a shard that would refuse it. Two processes assigning at once pick the same shard.
    private func assign(_ tenant: TenantID) async throws -> Int {
        let index = Self.initialShard(of: tenant, among: shards.count)
        let now = DatabaseValue.text(RFC3339.string(from: Date()))
        try await shards[index].writeStatement(
            "INSERT INTO shard_tenants (tenant_id, state, changed_at) VALUES (?, 'active', ?) ON CONFLICT DO NOTHING",
            [.text(tenant.description), now])
        return try await home.write { tx in
            try tx.execute(
                "INSERT INTO tenant_shards (tenant_id, shard, changed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [.text(tenant.description), .integer(index), now])
            return try tx.query("SELECT shard FROM tenant_shards WHERE tenant_id = ?", [.text(tenant.description)]).first?["shard"].integer ?? index
        }
    }

    /// Where a new tenant goes: spread evenly and the same in every process (FNV-1a of the ID).
    static func initialShard(of tenant: TenantID, among count: Int) -> Int {
        Int(UInt64(tenant.description.stableHash, radix: 16)! % UInt64(count))
    }

    /// Records that `tenant` is now on shard `index` (the last step but one of a move).
    func record(_ tenant: TenantID, on index: Int) async throws {
        try await home.writeStatement(
            """
            INSERT INTO tenant_shards (tenant_id, shard, changed_at) VALUES (?, ?, ?)
            ON CONFLICT (tenant_id) DO UPDATE SET shard = excluded.shard, changed_at = excluded.changed_at
            """,
            [.text(tenant.description), .integer(index), .text(RFC3339.string(from: Date()))])
        forget(tenant)
    }

    /// Every tenant the directory names, with its shard.
    public func entries() async throws -> [(tenant: String, shard: Int)] {
        try await home.read { reader in
            try reader.query("SELECT tenant_id, shard FROM tenant_shards ORDER BY tenant_id").map {
                (tenant: $0["tenant_id"].string ?? "", shard: $0["shard"].integer ?? 0)
            }
        }
    }
}

/// Sharding is configured in a way that cannot work; the message says how.
public struct ShardingError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ShardDirectory {
    /// Refuses to start with fewer shards than the directory names: those tenants' data would
    /// be out of reach.
    public func verifyShardCount() async throws {
        let highest = try await home.read { try $0.query("SELECT MAX(shard) AS highest FROM tenant_shards").first?["highest"].integer }
        if let highest, highest >= shards.count {
            throw ShardingError("the directory places tenants on shard \(highest), but only shards 0 to \(shards.count - 1) are configured")
        }
    }
}
