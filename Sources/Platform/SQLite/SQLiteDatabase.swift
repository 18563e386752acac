import Foundation
import Logging
import SQLiteNIO
import Synchronization

/// One service database file in WAL mode: a single writer that runs whole transactions, and a
/// few reader connections that read the last committed state concurrently with it.
///
/// Writes are serialised in the process by `AsyncLock`, so they never meet `SQLITE_BUSY` from
/// each other; readers never block the writer (WAL).
public final class SQLiteDatabase: Sendable {
    public let name: String
    public let path: String
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncLock()
    private let nextReader = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let commitObservers = Mutex<[@Sendable () -> Void]>([])
    private let statements = Mutex<(pending: [PendingStatement], draining: Bool)>(([], false))

    private struct PendingStatement: Sendable {
        let sql: String
        let binds: [DatabaseValue]
        let continuation: CheckedContinuation<[DatabaseRow], any Error>
    }

    /// How much SQLite waits for the disk on commit.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// fsync on every commit: a committed transaction survives a power loss.
        case full
        /// fsync at checkpoints only: survives a killed process, may lose the last commits on power loss.
        case normal
    }

    private init(name: String, path: String, writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.name = name
        self.path = path
        self.writer = writer
        self.readers = readers
    }

    /// Opens (creating if needed) the database file and sets WAL mode.
    /// - Parameters:
    ///   - readerCount: connections for concurrent reads, at least 1 (default 4).
    ///   - synchronous: durability level, default `.full`.
    ///   - busyTimeoutMilliseconds: how long a connection waits for another process's lock (default 5000).
    /// - Throws: `SQLiteError` when the file cannot be opened or is not a database.
    public static func open(
        name: String, path: String, readerCount: Int = 4, synchronous: Synchronous = .full,
        busyTimeoutMilliseconds: Int = 5000, logger: Logger
    ) async throws -> SQLiteDatabase {
        precondition(readerCount >= 1, "at least one reader connection")
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        var readers: [SQLiteConnection] = []
        do {
            _ = try await writer.query("PRAGMA journal_mode=WAL")
            for pragma in [
                "PRAGMA synchronous=\(synchronous.rawValue.uppercased())", "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=\(busyTimeoutMilliseconds)",
            ] {
                _ = try await writer.query(pragma)
            }
            for _ in 0..<readerCount {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                _ = try await reader.query("PRAGMA busy_timeout=\(busyTimeoutMilliseconds)")
                _ = try await reader.query("PRAGMA query_only=ON")
                readers.append(reader)
            }
            return SQLiteDatabase(name: name, path: path, writer: writer, readers: readers)
        } catch {
            for reader in readers { try? await reader.close() }
            try? await writer.close()
            throw error
        }
    }

    /// Runs `body` on a reader connection. Each statement sees the last committed state.
    public func read<T: Sendable>(_ body: (SQLiteExecutor) async throws -> T) async throws -> T {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        let connection = readers[Int(index.magnitude % UInt(readers.count))]
        return try await body(SQLiteExecutor(connection: connection, notes: nil))
    }

    /// Runs `body` inside one `BEGIN IMMEDIATE … COMMIT` on the writer; rolls back if it throws.
    /// The commit has returned (and, with `.full`, reached the disk) before this returns.
    public func write<T: Sendable>(_ body: (SQLiteExecutor) async throws -> T) async throws -> T {
        let notes = TransactionNotes()
        let result = try await writeLock.withLock {
            let executor = SQLiteExecutor(connection: writer, notes: notes)
            try await executor.execute("BEGIN IMMEDIATE")
            do {
                let result = try await body(executor)
                try await executor.execute("COMMIT")
                return result
            } catch {
                try? await executor.execute("ROLLBACK")
                throw error
            }
        }
        if notes.wroteEvents {
            for observer in commitObservers.withLock({ $0 }) { observer() }
        }
        return result
    }

    /// Runs one statement on the writer, atomic on its own (with the triggers it fires). For hot
    /// single-statement writes: statements that arrive while the writer is busy are committed
    /// together in one transaction (group commit), so many callers share one disk sync. Each
    /// statement succeeds or fails on its own; it returns only after its commit.
    public func writeStatement(_ sql: String, _ binds: [DatabaseValue] = []) async throws -> [DatabaseRow] {
        try await withCheckedThrowingContinuation { continuation in
            let startDraining = statements.withLock { queue -> Bool in
                queue.pending.append(PendingStatement(sql: sql, binds: binds, continuation: continuation))
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startDraining { Task { await drainStatements() } }
        }
    }

    /// The most statements one group commit takes; the rest wait for the next.
    static let maximumGroupSize = 256

    private func drainStatements() async {
        while true {
            let batch = statements.withLock { queue -> [PendingStatement] in
                let batch = Array(queue.pending.prefix(Self.maximumGroupSize))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            var results: [Result<[DatabaseRow], any Error>] = []
            do {
                try await writeLock.withLock {
                    let executor = SQLiteExecutor(connection: writer, notes: nil)
                    if batch.count == 1 {
                        results = [await Result(catching: { try await executor.query(batch[0].sql, batch[0].binds) })]
                        return
                    }
                    try await executor.execute("BEGIN IMMEDIATE")
                    for statement in batch {
                        // A failing statement undoes only itself (SQLite's statement atomicity).
                        results.append(await Result(catching: { try await executor.query(statement.sql, statement.binds) }))
                    }
                    do {
                        try await executor.execute("COMMIT")
                    } catch {
                        try? await executor.execute("ROLLBACK")
                        throw error
                    }
                }
            } catch {
                results = batch.map { _ in .failure(error) }
            }
            for (statement, result) in zip(batch, results) { statement.continuation.resume(with: result) }
        }
    }

    /// Calls `observer` after every committed transaction that wrote outbox events (the relay
    /// wakes up so, and sleeps through the writes that have nothing for it).
    public func afterCommit(_ observer: @escaping @Sendable () -> Void) {
        commitObservers.withLock { $0.append(observer) }
    }

    /// Tasks queued for the writer now; a gauge for the pool metrics.
    public var writersWaiting: Int { writeLock.waiting }
    public var readerCount: Int { readers.count }

    /// Checkpoints the WAL into the main file and closes every connection. Idempotent.
    public func close() async {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        _ = try? await writeLock.withLock {
            _ = try? await writer.query("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        for reader in readers { try? await reader.close() }
        try? await writer.close()
    }
}
