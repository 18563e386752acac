import Foundation
import Logging
import NIOPosix
import Synchronization

/// One service database file in WAL mode: a single writer connection and a few readers, each
/// used by one thread of the database's own pool at a time.
///
/// Statements run synchronously on those threads: a read or a write transaction costs one hop
/// off the caller's task, however many statements it runs. Writes queue for the writer and are
/// committed in groups: the writes that arrive while a commit is running share the next
/// transaction and its disk sync, each inside its own savepoint, so each still succeeds or
/// fails on its own and returns only after its group has committed.
public final class SQLiteDatabase: Sendable {
    public let name: String
    public let path: String
    private let threads: NIOThreadPool
    private let writer: SQLiteConnection
    /// Copies the WAL back into the database file, off the writer's thread.
    private let checkpointer: SQLiteConnection
    private let readers: ReaderPool
    private let writeLock = AsyncLock()
    private let closed = Atomic<Bool>(false)
    private let commitObservers = Mutex<[@Sendable () -> Void]>([])
    private let queue = Mutex<(pending: [any PendingWrite], draining: Bool)>(([], false))

    /// The most writes one group commit takes; the rest wait for the next.
    public static let maximumGroupSize = 512

    /// How much SQLite waits for the disk on commit.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// fsync on every commit: a committed transaction survives a power loss.
        case full
        /// fsync at checkpoints only: survives a killed process, may lose the last commits on power loss.
        case normal
    }

    private let commitsSinceCheckpoint = Atomic<Int>(0)
    private let checkpointing = Atomic<Bool>(false)
    /// Commits after which the WAL is checkpointed (SQLite's own default is about 1,000 pages).
    static let checkpointEveryCommits = 200

    private init(
        name: String, path: String, threads: NIOThreadPool, writer: SQLiteConnection, checkpointer: SQLiteConnection,
        readers: [SQLiteConnection]
    ) {
        self.name = name
        self.path = path
        self.threads = threads
        self.writer = writer
        self.checkpointer = checkpointer
        self.readers = ReaderPool(readers)
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
        let threads = NIOThreadPool(numberOfThreads: readerCount + 2)
        threads.start()
        do {
            let (writer, checkpointer, readers) = try await threads.runIfActive {
                let writer = try SQLiteConnection(path: path)
                // temp_store=MEMORY keeps the savepoints' sub-journals off the disk.
                try writer.executeScript(
                    """
                    PRAGMA busy_timeout=\(busyTimeoutMilliseconds); PRAGMA journal_mode=WAL;
                    PRAGMA synchronous=\(synchronous.rawValue.uppercased()); PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;
                    PRAGMA wal_autocheckpoint=0;
                    """)
                // The writer never checkpoints (its commits would wait for it); this connection does.
                let checkpointer = try SQLiteConnection(path: path)
                try checkpointer.executeScript("PRAGMA busy_timeout=\(busyTimeoutMilliseconds);")
                let readers = try (0..<readerCount).map { _ in
                    let reader = try SQLiteConnection(path: path)
                    try reader.executeScript("PRAGMA busy_timeout=\(busyTimeoutMilliseconds); PRAGMA query_only=ON;")
                    return reader
                }
                return (writer, checkpointer, readers)
            }
            return SQLiteDatabase(
                name: name, path: path, threads: threads, writer: writer, checkpointer: checkpointer, readers: readers)
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
    }

    /// Runs `body` on a reader connection, inside one read transaction: every statement sees the
    /// same committed state.
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteExecutor) throws -> T) async throws -> T {
        guard let connection = await readers.checkOut() else { throw DatabaseClosedError(name: name) }
        defer { readers.checkIn(connection) }
        return try await threads.runIfActive {
            try connection.run("BEGIN")
            do {
                let result = try body(SQLiteExecutor(connection: connection, notes: nil))
                try connection.run("COMMIT")
                return result
            } catch {
                try? connection.run("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` as one atomic write on the writer: either all its statements commit or none.
    /// It may share a transaction with other writes (group commit); it returns after that commit,
    /// which with `.full` has reached the disk.
    ///
    /// Writes run in the order they are queued; `whenQueued` is called once this one is in the
    /// queue, so a caller can hold back the next write until then (ordered imports).
    public func write<T: Sendable>(
        whenQueued: (@Sendable () -> Void)? = nil, _ body: @escaping @Sendable (SQLiteExecutor) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let startDraining = queue.withLock { queue -> Bool in
                queue.pending.append(WriteRequest(body: body, continuation: continuation))
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            whenQueued?()
            if startDraining { Task { await drain() } }
        }
    }

    /// Runs one statement as its own atomic write (with the triggers it fires).
    @discardableResult
    public func writeStatement(_ sql: String, _ binds: [DatabaseValue] = []) async throws -> [DatabaseRow] {
        try await write { try $0.query(sql, binds) }
    }

    private func drain() async {
        while true {
            let batch = queue.withLock { queue -> [any PendingWrite] in
                let batch = Array(queue.pending.prefix(Self.maximumGroupSize))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let notes = TransactionNotes()
            let commitError: (any Error)?
            do {
                try await writeLock.withLock {
                    guard !closed.load(ordering: .relaxed) else { throw DatabaseClosedError(name: name) }
                    try await threads.runIfActive { [writer] in try Self.commitGroup(batch, on: writer, notes: notes) }
                }
                commitError = nil
            } catch {
                commitError = error
            }
            for request in batch { request.complete(commitError: commitError) }
            if commitError == nil { checkpointIfDue() }
            if commitError == nil, notes.wroteEvents {
                for observer in commitObservers.withLock({ $0 }) { observer() }
            }
        }
    }

    /// Runs a group of writes in one transaction on the writer thread.
    private static func commitGroup(_ batch: [any PendingWrite], on connection: SQLiteConnection, notes: TransactionNotes) throws {
        let executor = SQLiteExecutor(connection: connection, notes: notes)
        try connection.run("BEGIN IMMEDIATE")
        do {
            if batch.count == 1 {
                // Alone in its transaction: a failure rolls the whole transaction back.
                guard batch[0].run(in: executor) else {
                    notes.wroteEvents = false
                    try connection.run("ROLLBACK")
                    return
                }
            } else {
                for request in batch {
                    let wroteEventsBefore = notes.wroteEvents
                    try connection.run("SAVEPOINT grouped_write")
                    if !request.run(in: executor) {
                        try connection.run("ROLLBACK TO grouped_write")
                        notes.wroteEvents = wroteEventsBefore  // its events are gone with it
                    }
                    try connection.run("RELEASE grouped_write")
                }
            }
            try connection.run("COMMIT")
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw error
        }
    }

    /// A passive checkpoint on its own connection and thread once enough commits piled up in the
    /// WAL; it copies what no reader still needs and never blocks the writer.
    private func checkpointIfDue() {
        guard commitsSinceCheckpoint.wrappingAdd(1, ordering: .relaxed).newValue >= Self.checkpointEveryCommits,
            !checkpointing.exchange(true, ordering: .acquiring)
        else { return }
        commitsSinceCheckpoint.store(0, ordering: .relaxed)
        Task {
            _ = try? await threads.runIfActive { [checkpointer] in try checkpointer.executeScript("PRAGMA wal_checkpoint(PASSIVE)") }
            self.checkpointing.store(false, ordering: .releasing)
        }
    }

    /// Calls `observer` after every committed transaction that wrote outbox events (the relay
    /// wakes up so, and sleeps through the writes that have nothing for it).
    public func afterCommit(_ observer: @escaping @Sendable () -> Void) {
        commitObservers.withLock { $0.append(observer) }
    }

    /// Writes queued for the writer now; a gauge for the pool metrics.
    public var writersWaiting: Int { queue.withLock { $0.pending.count } }
    public var readerCount: Int { readers.count }

    /// Checkpoints the WAL into the main file and closes every connection. Idempotent; writes
    /// that arrive later fail with `DatabaseClosedError`.
    public func close() async {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        // Waits out a running checkpoint and keeps new ones from starting.
        while checkpointing.exchange(true, ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(1)) }
        _ = try? await writeLock.withLock {
            try await threads.runIfActive { [writer, checkpointer] in
                try? writer.executeScript("PRAGMA wal_checkpoint(TRUNCATE)")
                writer.close()
                checkpointer.close()
            }
        }
        for reader in await readers.close() { reader.close() }
        try? await threads.shutdownGracefully()
    }
}

/// The database was closed before the write could run.
public struct DatabaseClosedError: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "database \(name) is closed" }
}

/// A write waiting for its group commit.
private protocol PendingWrite: Sendable {
    /// Runs the write inside the group's transaction; `false` when it failed and must be undone.
    func run(in executor: SQLiteExecutor) -> Bool
    /// Hands the caller its result, or the commit's failure.
    func complete(commitError: (any Error)?)
}

private final class WriteRequest<T: Sendable>: PendingWrite, @unchecked Sendable {
    private let body: @Sendable (SQLiteExecutor) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    // Set on the writer thread by `run`, read by `complete` after the commit: never at once.
    private var outcome: Result<T, any Error>?

    init(body: @escaping @Sendable (SQLiteExecutor) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(in executor: SQLiteExecutor) -> Bool {
        do {
            outcome = .success(try body(executor))
            return true
        } catch {
            outcome = .failure(error)
            return false
        }
    }

    func complete(commitError: (any Error)?) {
        switch (outcome, commitError) {
        case (.failure(let own)?, _): continuation.resume(throwing: own)  // its own failure, whatever the group did
        case (_, let commitError?): continuation.resume(throwing: commitError)
        case (.success(let value)?, nil): continuation.resume(returning: value)
        case (nil, nil): continuation.resume(throwing: CancellationError())  // a committed group ran every write
        }
    }
}
