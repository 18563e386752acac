import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The hot standbys a service database reads from. A read goes to a replica only once it has
/// replayed this process's last commit, so whoever just wrote through this process reads the
/// write back; a replica that lags longer than `waitLimit`, or cannot be reached, leaves the
/// read to the primary.
final class PostgresReplicas: Sendable {
    private let clients: [PostgresClient]
    private let running: [Task<Void, Never>]
    private let addresses: [String]
    private let turn = Atomic<Int>(0)
    /// Where the primary's WAL stood after this process's last commit (text, as PostgreSQL writes it).
    private let lastCommit = Mutex<String?>(nil)
    /// A replica that failed is left alone until then.
    private let restingUntil: Mutex<[ContinuousClock.Instant]>
    private let waitLimit: Duration
    private let leaseLimit: Duration
    private let logger: Logger

    /// How long a replica that could not be reached is left out.
    static let rest = Duration.seconds(5)

    init(location: PostgresLocation, logger: Logger) throws {
        clients = try location.replicas.indices.map { index in
            PostgresClient(configuration: try location.onReplica(index).clientConfiguration, backgroundLogger: logger)
        }
        running = clients.map { client in Task { await client.run() } }
        addresses = location.replicas.map { "\($0.host):\($0.port)" }
        restingUntil = Mutex(Array(repeating: ContinuousClock.now, count: clients.count))
        waitLimit = .milliseconds(location.replicaWaitMilliseconds)
        leaseLimit = .seconds(location.connectTimeoutSeconds)
        self.logger = logger
    }

    var isEmpty: Bool { clients.isEmpty }

    /// Records the WAL position a commit reached; later reads wait for replicas to pass it.
    func noteCommit(at position: String) {
        lastCommit.withLock { $0 = position }
    }

    enum Lease<T: Sendable>: Sendable {
        case read(T)
        /// No replica was fresh in time or reachable: the caller reads on the primary.
        case unavailable
    }

    /// Runs `body` on a connection of a replica that has replayed the last commit.
    func withFreshConnection<T: Sendable>(
        on threads: BlockingThreads, answerLimit: TimeAmount, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> Lease<T> {
        guard let index = nextAwakeReplica() else { return .unavailable }
        let position = lastCommit.withLock { $0 }
        let (logger, waitLimit) = (logger, waitLimit)
        let acquired = LeaseFlag()
        do {
            return try await withThrowingTaskGroup(of: Lease<T>.self) { group in
                group.addTask { [clients] in
                    try await clients[index].withConnection { connection in
                        acquired.value.store(true, ordering: .relaxed)
                        return try await threads.run { () throws -> Lease<T> in
                            let executor = PostgresExecutor(connection: connection, logger: logger, notes: nil, answerLimit: answerLimit)
                            guard try Self.waitUntilReplayed(position, on: executor, limit: waitLimit) else { return .unavailable }
                            return .read(try body(connection))
                        }
                    }
                }
                // The limit is on getting a connection: a long report on a replica is no failure.
                group.addTask { [leaseLimit] in
                    try await Task.sleep(for: leaseLimit)
                    while acquired.value.load(ordering: .relaxed) { try await Task.sleep(for: .seconds(3_600)) }
                    throw PostgresError(sqlState: nil, message: "no replica connection within \(leaseLimit)")
                }
                defer { group.cancelAll() }
                return try await group.next() ?? .unavailable
            }
        } catch let error as PostgresError where error.isConnectionLost {
            restingUntil.withLock { $0[index] = .now + Self.rest }
            logger.warning("replica unreachable, reading on the primary", metadata: ["replica": "\(addresses[index])", "error": "\(error)"])
            return .unavailable
        } catch let error as PSQLError where error.serverInfo == nil {
            restingUntil.withLock { $0[index] = .now + Self.rest }
            logger.warning("replica unreachable, reading on the primary", metadata: ["replica": "\(addresses[index])", "error": "\(error.code)"])
            return .unavailable
        }
    }

    /// Round robin over the replicas that are not resting.
    private func nextAwakeReplica() -> Int? {
        let now = ContinuousClock.now
        let resting = restingUntil.withLock { $0 }
        for _ in clients.indices {
            let index = turn.add(1, ordering: .relaxed).newValue % clients.count
            if resting[index] <= now { return index }
        }
        return nil
    }

    /// Polls the replica's replay position until it reaches `position` (outside any
    /// transaction, so the read's snapshot is taken after it); `false` once `limit` passed.
    private static func waitUntilReplayed(_ position: String?, on executor: PostgresExecutor, limit: Duration) throws -> Bool {
        guard let position else { return true }
        let deadline = ContinuousClock.now + limit
        while true {
            // NULL on a server that is no standby (a promoted one): it is current.
            let fresh = try executor.query(
                "SELECT COALESCE(pg_last_wal_replay_lsn() >= CAST(? AS pg_lsn), true) AS fresh", [.text(position)]
            ).first?["fresh"].integer == 1
            if fresh { return true }
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.002)
        }
    }

    func close() async {
        for task in running { task.cancel() }
        for task in running { await task.value }
    }
}

/// Set once a read holds a replica connection (shared by the tasks racing for it).
private final class LeaseFlag: Sendable {
    let value = Atomic<Bool>(false)
}
