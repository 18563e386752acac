import ERPKernel
import Logging

/// A service database spread over several shards, each tenant's data on one of them. Every read
/// and write goes to the shard of the tenant in `TenantScope.current`, and first checks, in its
/// own transaction, that the shard still holds the tenant: a process whose directory is stale
/// after a move is sent on, never served old data or allowed to write where it would be lost.
///
/// Shard 0 is the home shard: the database the service has without sharding, which keeps the
/// directory and the tenants that were there before sharding was switched on.
public final class ShardedDatabase: SQLDatabase {
    public let shards: [any SQLDatabase]
    public let directory: ShardDirectory
    /// How long a request waits for its tenant's move to finish before it gets a 503.
    private let moveWait: Duration
    private let logger: Logger

    public init(shards: [any SQLDatabase], moveWait: Duration = .seconds(30), logger: Logger) {
        self.shards = shards
        directory = ShardDirectory(shards: shards)
        self.moveWait = moveWait
        self.logger = logger
    }

    public var name: String { shards[0].name }
    public var dialect: SQLDialect { shards[0].dialect }
    public var partitions: [any SQLDatabase] { shards }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) throws -> T) async throws -> T {
        let tenant = try scopedTenant()
        return try await routed(tenant) { shard, _ in
            try await shard.read { reader in
                try ShardFence.check(tenant, writing: false, in: reader)
                return try body(reader)
            }
        }
    }

    public func write<T: Sendable>(
        whenQueued: (@Sendable () -> Void)?, _ body: @escaping @Sendable (any SQLExecutor) throws -> T
    ) async throws -> T {
        let tenant = try scopedTenant()
        return try await routed(tenant) { shard, attempt in
            // Only the first attempt is in the caller's queue order; a retry follows a move.
            try await shard.write(whenQueued: attempt == 0 ? whenQueued : nil) { tx in
                try ShardFence.check(tenant, writing: true, in: tx)
                return try body(tx)
            }
        }
    }

    private func scopedTenant() throws -> TenantID {
        guard let tenant = TenantScope.current else {
            throw ShardingError("\(name) is sharded by tenant, and this work names none (TenantScope.current is unset)")
        }
        return tenant
    }

    /// Runs `attempt` on the tenant's shard; when that shard turns the tenant away (it moved,
    /// or is moving and this is a write), asks the directory again until `moveWait` is over.
    private func routed<T>(_ tenant: TenantID, _ attempt: (any SQLDatabase, Int) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        let deadline = started + moveWait
        var attempts = 0
        while true {
            let index = try await directory.shard(of: tenant)
            do {
                let result = try await attempt(shards[index], attempts)
                if attempts > 0 {
                    logger.notice(
                        "tenant found on another shard after a move",
                        metadata: [
                            "tenant.id": "\(tenant)", "shard": "\(index)",
                            "event.duration": .stringConvertible((ContinuousClock.now - started).nanoseconds),
                        ])
                }
                return result
            } catch is TenantElsewhere {
                directory.forget(tenant)
                attempts += 1
                guard ContinuousClock.now < deadline else { throw Problem.tenantMoving }
                try await Task.sleep(for: .milliseconds(min(200, 10 * attempts)))
            }
        }
    }

    public func afterCommit(_ observer: @escaping @Sendable () -> Void) {
        for shard in shards { shard.afterCommit(observer) }
    }

    public var writersWaiting: Int { shards.reduce(0) { $0 + $1.writersWaiting } }
    public var readerCount: Int { shards.reduce(0) { $0 + $1.readerCount } }

    /// Closes the shards but the home one, which belongs to whoever opened it.
    public func close() async {
        for shard in shards.dropFirst() { await shard.close() }
    }
}

/// The shard's own word on whether it holds a tenant, asked inside each transaction.
enum ShardFence {
    static func check(_ tenant: TenantID, writing: Bool, in executor: any SQLExecutor) throws {
        let state = try executor.query("SELECT state FROM shard_tenants WHERE tenant_id = ?", [.text(tenant.description)]).first?["state"].string
        switch state {
        case "active": return
        // While a tenant is copied away its data here is complete and unchanging: reads go on.
        case "moving" where !writing: return
        default: throw TenantElsewhere()
        }
    }
}

/// This shard does not hold the tenant (any more, or for writing while it moves).
struct TenantElsewhere: Error {}

extension Problem {
    static let tenantMoving = Problem(
        status: 503, code: "tenant_moving", title: "Tenant is moving",
        detail: "The tenant's data is being moved to another database shard; nothing was changed. Retry shortly.",
        category: .dependency, severity: .warning, headers: ["Retry-After": "5"])
}
