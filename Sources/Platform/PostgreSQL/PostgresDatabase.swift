import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// One service database on a PostgreSQL server, in a schema of its own: reads on a pool of
/// connections (postgres-nio's `PostgresClient`), writes on one writer connection in group
/// commits, exactly as `SQLiteDatabase` runs them.
///
/// Why one writer: the stores were written for serialised writes (a sale reads the stock it
/// then books, the audit chain reads its head), and the rows every sale touches (the revenue
/// account's balance, the outbox) would serialise concurrent transactions anyway, each waiting
/// for the other's commit. One writer committing a group of writes per transaction pays one
/// commit for the group. An advisory lock per group keeps two processes on the same schema
/// serialised too.
public final class PostgresDatabase: SQLDatabase {
    public let name: String
    public var dialect: SQLDialect { .postgresql }
    private let location: PostgresLocation
    private let logger: Logger
    private let readers: PostgresClient
    private let replicas: PostgresReplicas
    private let readersRunning: Task<Void, Never>
    /// Runs the synchronous read bodies; one thread per pooled connection.
    private let readThreads: BlockingThreads
    private let writerThread = BatchingThread<any PendingWrite>(name: "postgres-writer", maximumBatch: SQLiteDatabase.maximumGroupSize)
    /// Touched on the writer thread only (and by `close` after that thread stopped).
    private nonisolated(unsafe) var writer: PostgresConnection?
    /// The writer connection's own event loop. On the shared loops, each answer the writer waits
    /// for queued behind the requests those loops serve, and a group waits for several answers.
    private let writerLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// The statements prepared on `writer`; touched on the writer thread only.
    private nonisolated(unsafe) var preparedWrites: PreparedWrites?
    private let commitObservers = Mutex<[@Sendable () -> Void]>([])
    private let closed = Atomic<Bool>(false)
    /// Reads in progress; `close` lets them finish before the pool closes their connections.
    private let activeReads = Atomic<Int>(0)
    /// Identifies this schema's writers among all advisory locks of the server.
    private let writeLockKey: Int

    private let writerConfiguration: PostgresConnection.Configuration

    private init(name: String, location: PostgresLocation, logger: Logger) throws {
        self.name = name
        self.location = location
        self.logger = logger
        writerConfiguration = try location.connectionConfiguration
        readers = PostgresClient(configuration: try location.clientConfiguration, backgroundLogger: logger)
        readersRunning = Task { [readers] in await readers.run() }
        replicas = try PostgresReplicas(location: location, logger: logger)
        readThreads = BlockingThreads(count: location.poolSize * (1 + location.replicas.count), name: "postgres-reader")
        writeLockKey = Int(truncatingIfNeeded: Int64(bitPattern: UInt64(location.schema.stableHash, radix: 16) ?? 0))
        writerThread.start { [unowned self] batch in commit(batch) }
    }

    /// Connects to the server and creates the schema if it is missing.
    /// - Throws: `PostgresError` when the server cannot be reached or refuses the login.
    public static func open(name: String, location: PostgresLocation, logger: Logger) async throws -> PostgresDatabase {
        let database = try PostgresDatabase(name: name, location: location, logger: logger)
        do {
            try await database.write { tx in
                // The schema is created on the writer's connection, whose search path names it already.
                try tx.execute("CREATE SCHEMA IF NOT EXISTS \(location.quotedSchema)")
            }
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) throws -> T) async throws -> T {
        // Counted before the check, so `close` sees every read that got past it.
        activeReads.add(1, ordering: .sequentiallyConsistent)
        defer { activeReads.subtract(1, ordering: .sequentiallyConsistent) }
        guard !closed.load(ordering: .sequentiallyConsistent) else { throw DatabaseClosedError(name: name) }
        let (logger, answerLimit) = (logger, answerLimit)
        let transaction: @Sendable (PostgresConnection) throws -> T = { connection in
            try Self.readTransaction(on: connection, logger: logger, answerLimit: answerLimit, body)
        }
        if !replicas.isEmpty, case .read(let result) = try await replicas.withFreshConnection(on: readThreads, answerLimit: answerLimit, transaction) {
            return result
        }
        do {
            return try await readers.withConnection { connection in try await readThreads.run { try transaction(connection) } }
        } catch let error as PostgresError where error.isConnectionLost {
            // A read changes nothing, so it is safe to ask again: the pool replaces a connection
            // the server dropped (a restart), and the caller never hears of it.
            logger.warning("read lost its connection, asking again", metadata: ["database": "\(name)", "error": "\(error)"])
            return try await readers.withConnection { connection in try await readThreads.run { try transaction(connection) } }
        }
    }

    /// `body` in one read-only transaction on `connection`.
    private static func readTransaction<T>(
        on connection: PostgresConnection, logger: Logger, answerLimit: TimeAmount, _ body: (any SQLExecutor) throws -> T
    ) throws -> T {
        let executor = PostgresExecutor(connection: connection, logger: logger, notes: nil, answerLimit: answerLimit)
        executor.hold("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            let result = try body(executor)
            try executor.control("COMMIT")
            return result
        } catch {
            // A lost connection has no transaction left to roll back.
            if !connection.isClosed, (error as? PostgresError)?.isConnectionLost != true { try? executor.control("ROLLBACK") }
            throw error
        }
    }

    private var answerLimit: TimeAmount { .seconds(Int64(location.statementTimeoutSeconds)) }

    public func write<T: Sendable>(
        whenQueued: (@Sendable () -> Void)?, _ body: @escaping @Sendable (any SQLExecutor) throws -> T
    ) async throws -> T {
        try await writerThread.write(database: name, whenQueued: whenQueued, body)
    }

    /// Commits a group of queued writes, on the writer's thread.
    private func commit(_ batch: [any PendingWrite]) {
        // Once the group's callers are answered, statements it sent again are prepared for the next.
        defer { preparedWrites?.prepareWanted(within: answerLimit, logger: logger) }
        var notes = TransactionNotes()
        var together = batch.count > 1
        var lostConnection = false
        do {
            while true {
                do {
                    try commitOnce(batch, notes: notes, together: together)
                    break
                } catch is RunWithSavepoints {
                    together = false
                } catch is LostBeforeCommit where !lostConnection {
                    // The server dropped the connection before COMMIT left (a restart): nothing of
                    // the group was committed, so it runs once more, on a new connection.
                    logger.warning("writer lost its connection before committing, running the group again", metadata: ["database": "\(name)"])
                    lostConnection = true
                    together = false
                }
                notes = TransactionNotes()
                for request in batch { request.discardOutcome() }
            }
        } catch {
            for request in batch { request.complete(commitError: error) }
            return
        }
        // Observers first: a writer that was answered may count on its events being on their way.
        if notes.wroteEvents {
            for observer in commitObservers.withLock({ $0 }) { observer() }
        }
        for request in batch { request.complete(commitError: nil) }
    }

    /// The connection was gone before the group's COMMIT was sent.
    private struct LostBeforeCommit: Error {}

    /// A write of a group run together failed, or a statement of it did: the group was rolled
    /// back and runs again, each write in a savepoint of its own, so the failure is its own.
    private struct RunWithSavepoints: Error {}

    /// - Parameter together: run the writes without savepoints or waits between them
    ///   (`GroupCommit.runTogether`); else each in its savepoint, answered before the next.
    private func commitOnce(_ batch: [any PendingWrite], notes: TransactionNotes, together: Bool) throws {
        let connection = try connectedWriter()
        let preparedWrites = self.preparedWrites?.connection === connection ? self.preparedWrites : PreparedWrites(connection: connection)
        self.preparedWrites = preparedWrites
        let executor = PostgresExecutor(
            connection: connection, logger: logger, notes: notes, preparedWrites: preparedWrites, answerLimit: answerLimit)
        executor.hold("BEGIN")
        let committable: Bool
        do {
            executor.hold("SELECT pg_advisory_xact_lock(?)", [.integer(writeLockKey)])
            if together {
                guard try GroupCommit.runTogether(batch, in: executor, notes: notes) else { throw RunWithSavepoints() }
                // Answered before COMMIT leaves, so a lost connection here still means nothing committed.
                try executor.flush()
                committable = true
            } else {
                committable = try GroupCommit.run(batch, in: executor, notes: notes, statement: { executor.hold($0) })
            }
        } catch {
            if (error as? PostgresError)?.isConnectionLost == true || connection.isClosed { throw LostBeforeCommit() }
            try? executor.control("ROLLBACK")
            if together { throw RunWithSavepoints() }
            throw error
        }
        if connection.isClosed { throw LostBeforeCommit() }
        do {
            if committable {
                try commit(on: executor)
            } else {
                try executor.control("ROLLBACK")
            }
        } catch {
            if !connection.isClosed { try? executor.control("ROLLBACK") }
            throw error
        }
    }

    /// Commits; with replicas, also learns where the WAL stood (in the same round trip), which
    /// the replicas must have replayed before they serve this process's reads.
    private func commit(on executor: PostgresExecutor) throws {
        guard !replicas.isEmpty else { return try executor.control("COMMIT") }
        let answers = try executor.queries([SQLStatement("COMMIT"), SQLStatement("SELECT CAST(pg_current_wal_lsn() AS TEXT) AS position")])
        if let position = answers[1].first?["position"].string { replicas.noteCommit(at: position) }
    }

    /// The writer's connection, opened anew after the server dropped it (a restart).
    private func connectedWriter() throws -> PostgresConnection {
        if let writer, !writer.isClosed { return writer }
        let eventLoop = writerLoop.next()
        do {
            let connection = try PostgresConnection.connect(
                on: eventLoop, configuration: writerConfiguration, id: 0, logger: logger
            ).wait()
            writer = connection
            return connection
        } catch let error as PSQLError {
            throw PostgresError(error, sql: "connect")
        }
    }

    public func afterCommit(_ observer: @escaping @Sendable () -> Void) {
        commitObservers.withLock { $0.append(observer) }
    }

    public var writersWaiting: Int { writerThread.waiting }
    public var readerCount: Int { location.poolSize }

    deinit {
        // A database dropped without `close()` (a test that failed half-way) still hangs up.
        // The connection must outlive its closing (postgres-nio asserts so).
        if let writer, !writer.isClosed { writer.close().whenComplete { _ in withExtendedLifetime(writer) {} } }
        writerLoop.shutdownGracefully { _ in }
    }

    public func close() async {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // The pool closes leased connections too when it stops: a read cut off so would fail.
        let deadline = ContinuousClock.now + .seconds(10)
        while activeReads.load(ordering: .sequentiallyConsistent) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        await writerThread.stop()
        try? await writer?.close()
        try? await writerLoop.shutdownGracefully()
        readersRunning.cancel()
        await readersRunning.value
        await replicas.close()
        await readThreads.stop()
    }
}
