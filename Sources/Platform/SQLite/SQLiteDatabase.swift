import Foundation
import Logging
import NIOPosix
import Synchronization

/// One service database file in WAL mode: a single writer connection on a thread of its own, and
/// a few readers, each used by one thread of the database's pool at a time.
///
/// Statements run synchronously on those threads: a read or a write transaction costs one hop
/// off the caller's task, however many statements it runs. Writes queue for the writer and are
/// committed in groups: the writes that arrive while a commit is running share the next
/// transaction, each inside its own savepoint, so each still succeeds or fails on its own and
/// returns only after its group has committed.
///
/// With `.full` durability the disk sync runs beside the writer, not in it: the writer commits
/// without waiting for the disk and goes on with the next group, while one `fdatasync` of the
/// WAL covers every group committed before it began; a write returns only after that sync. Other
/// connections may read a group between its commit and its sync: a killed process keeps it (the
/// frames are in the operating system's cache), only a power loss in that window could lose it,
/// and none of its writers has been answered yet.
public final class SQLiteDatabase: SQLDatabase {
    public let name: String
    public let path: String
    public var dialect: SQLDialect { .sqlite }
    private let threads: NIOThreadPool
    private let writer: SQLiteConnection
    /// Copies the WAL back into the database file, off the writer's thread.
    private let checkpointer: SQLiteConnection
    private let readers: ReaderPool
    private let closed = Atomic<Bool>(false)
    private let commitObservers = Mutex<[@Sendable () -> Void]>([])
    /// Runs the queued writes in group commits on the writer connection.
    private let writerThread = BatchingThread<any PendingWrite>(name: "sqlite-writer", maximumBatch: maximumGroupSize)
    /// Set for `.full`: the WAL this database syncs itself after the writer's commits.
    private let wal: WALFile?
    /// Syncs the WAL for committed groups (`.full` only); the groups committed during one sync share the next.
    private let syncThread = BatchingThread<CommittedGroup>(name: "sqlite-wal-sync", maximumBatch: .max)

    /// How much of the file readers map into memory.
    static let mmapBytes = 1 << 30

    /// The most writes one group commit takes; the rest wait for the next.
    public static let maximumGroupSize = 512

    /// How much a write waits for the disk before it is answered.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// A write is answered after an fsync of the WAL that covers it: an answered write
        /// survives a power loss.
        case full
        /// fsync at checkpoints only: survives a killed process, may lose the last commits on power loss.
        case normal
    }

    private let commitsSinceCheckpoint = Atomic<Int>(0)
    private let checkpointing = Atomic<Bool>(false)
    /// Commits after which the WAL is checkpointed (SQLite's own default is about 1,000 pages).
    static let checkpointEveryCommits = 200
    /// Set when a passive checkpoint found the WAL longer than `walRestartFrames`.
    private let walRestartDue = Atomic<Bool>(false)
    /// SQLite starts the WAL over only once a checkpoint has reached its end, which passive
    /// checkpoints never do under a steady stream of commits: the WAL then grows without bound
    /// (2.8 GB in 600,000 audit appends), and growing a file costs the kernel zeroed blocks.
    /// Past this many frames the writer checkpoints to the end itself and starts over; `nil`
    /// for databases whose writers must never pause (see `open`).
    private let walRestartFrames: Int?
    /// About 64 MB of WAL, for `open(walRestartFrames:)`.
    public static let boundedWALFrames = 16_384
    private let busyTimeoutMilliseconds: Int

    private init(
        name: String, path: String, threads: NIOThreadPool, writer: SQLiteConnection, checkpointer: SQLiteConnection,
        readers: [SQLiteConnection], wal: WALFile?, busyTimeoutMilliseconds: Int, walRestartFrames: Int?
    ) {
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.walRestartFrames = walRestartFrames
        self.name = name
        self.path = path
        self.wal = wal
        self.threads = threads
        self.writer = writer
        self.checkpointer = checkpointer
        self.readers = ReaderPool(readers)
        writerThread.start { [unowned self] batch in commit(batch) }
        if let wal { syncThread.start { [unowned self] groups in sync(wal, for: groups) } }
    }

    /// Opens (creating if needed) the database file and sets WAL mode.
    /// - Parameters:
    ///   - readerCount: connections for concurrent reads, at least 1 (default 4).
    ///   - synchronous: durability level, default `.full`.
    ///   - busyTimeoutMilliseconds: how long a connection waits for another process's lock (default 5000).
    ///   - walRestartFrames: keeps the WAL near this many frames (`boundedWALFrames`) by having
    ///     the writer start it over, which pauses the writes for that moment. `nil` (the default)
    ///     never pauses them: right for interactive writes, whose p99 doubled with the pauses
    ///     (bench/transactions at 1,000 posts a second: 35 ms without, 60–80 ms with); an
    ///     append log written in the background (the Audit DB) takes them for a bounded file.
    /// - Throws: `SQLiteError` when the file cannot be opened or is not a database.
    public static func open(
        name: String, path: String, readerCount: Int = 4, synchronous: Synchronous = .full,
        busyTimeoutMilliseconds: Int = 5000, walRestartFrames: Int? = nil, logger: Logger
    ) async throws -> SQLiteDatabase {
        precondition(readerCount >= 1, "at least one reader connection")
        // Readers and the checkpointer; the writer and the WAL sync have threads of their own.
        let threads = NIOThreadPool(numberOfThreads: readerCount + 1)
        threads.start()
        do {
            let (writer, checkpointer, readers) = try await threads.runIfActive {
                let writer = try SQLiteConnection(path: path)
                // temp_store=MEMORY keeps the savepoints' sub-journals off the disk; the writer keeps
                // 64 MB of pages, so growing indexes stay in memory. SQLite itself
                // never waits for the disk on commit: with `.full` the database syncs the WAL.
                try writer.executeScript(
                    """
                    PRAGMA busy_timeout=\(busyTimeoutMilliseconds); PRAGMA journal_mode=WAL;
                    PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;
                    PRAGMA wal_autocheckpoint=0; PRAGMA mmap_size=\(Self.mmapBytes); PRAGMA cache_size=-65536;
                    PRAGMA journal_size_limit=\(walRestartFrames.map { $0 * 4096 } ?? -1);
                    """)
                // The writer never checkpoints (its commits would wait for it); this connection does.
                let checkpointer = try SQLiteConnection(path: path)
                try checkpointer.executeScript("PRAGMA busy_timeout=\(busyTimeoutMilliseconds);")
                let readers = try (0..<readerCount).map { _ in
                    let reader = try SQLiteConnection(path: path)
                    // Pages are read through a memory map, not a read() call each, and a reader
                    // keeps 16 MB of them: traces and reports touch many pages per request.
                    try reader.executeScript(
                        "PRAGMA busy_timeout=\(busyTimeoutMilliseconds); PRAGMA query_only=ON; PRAGMA mmap_size=\(Self.mmapBytes); PRAGMA cache_size=-16000;")
                    return reader
                }
                return (writer, checkpointer, readers)
            }
            return SQLiteDatabase(
                name: name, path: path, threads: threads, writer: writer, checkpointer: checkpointer, readers: readers,
                wal: synchronous == .full ? WALFile(databasePath: path) : nil, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                walRestartFrames: walRestartFrames)
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
    }

    /// Runs `body` on a reader connection, inside one read transaction: every statement sees the
    /// same committed state.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) throws -> T) async throws -> T {
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
        whenQueued: (@Sendable () -> Void)?, _ body: @escaping @Sendable (any SQLExecutor) throws -> T
    ) async throws -> T {
        try await writerThread.write(database: name, whenQueued: whenQueued, body)
    }

    /// Commits a group of queued writes, on the writer's thread.
    private func commit(_ batch: [any PendingWrite]) {
        let notes = TransactionNotes()
        do {
            try Self.commitGroup(batch, on: writer, notes: notes)
        } catch {
            for request in batch { request.complete(commitError: error) }
            return
        }
        checkpointIfDue()
        restartWALIfDue()
        let group = CommittedGroup(writes: batch, wroteEvents: notes.wroteEvents)
        // The sync thread stops only after the writer's, so it takes every committed group.
        if wal == nil || !syncThread.submit(group) { durable([group], syncError: nil) }
    }

    /// Makes committed groups durable, on the sync thread.
    private func sync(_ wal: WALFile, for groups: [CommittedGroup]) {
        do {
            try wal.sync()
            durable(groups, syncError: nil)
        } catch {
            durable(groups, syncError: error)
        }
    }

    /// Answers the writes of committed groups, and wakes the commit observers when one of them
    /// wrote events.
    private func durable(_ groups: [CommittedGroup], syncError: (any Error)?) {
        // Observers first: a writer that was answered may count on its events being on their way.
        if syncError == nil, groups.contains(where: \.wroteEvents) {
            for observer in commitObservers.withLock({ $0 }) { observer() }
        }
        for group in groups {
            for request in group.writes { request.complete(commitError: syncError) }
        }
    }

    /// Runs a group of writes in one transaction on the writer thread.
    private static func commitGroup(_ batch: [any PendingWrite], on connection: SQLiteConnection, notes: TransactionNotes) throws {
        let executor = SQLiteExecutor(connection: connection, notes: notes)
        try connection.run("BEGIN IMMEDIATE")
        do {
            guard try GroupCommit.run(batch, in: executor, notes: notes, statement: connection.run) else {
                try connection.run("ROLLBACK")
                return
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
            // The answer: busy, the WAL's length in frames, the frames copied so far. Only a WAL
            // copied to its end is worth starting over: the writer's restart then has just the
            // frames of the last few commits to copy, and pauses the writes for a moment only.
            let answer = try? await threads.runIfActive { [checkpointer] in
                try checkpointer.query("PRAGMA wal_checkpoint(PASSIVE)", []).first?.values.map(\.integer)
            }
            if let limit = walRestartFrames, let answer, answer.count == 3, let frames = answer[1], frames > limit, answer[2] == frames {
                walRestartDue.store(true, ordering: .relaxed)
            }
            self.checkpointing.store(false, ordering: .releasing)
        }
    }

    /// On the writer's thread, between two groups: copies what the WAL gained since the passive
    /// checkpoint and has the next commit write the WAL from its start. Does not wait for readers
    /// of older pages (a long report): it tries again after a later passive checkpoint.
    private func restartWALIfDue() {
        guard walRestartDue.exchange(false, ordering: .relaxed) else { return }
        try? writer.executeScript(
            "PRAGMA busy_timeout=0; PRAGMA wal_checkpoint(RESTART); PRAGMA busy_timeout=\(busyTimeoutMilliseconds);")
    }

    /// Calls `observer` after every committed transaction that wrote outbox events (the relay
    /// wakes up so, and sleeps through the writes that have nothing for it).
    public func afterCommit(_ observer: @escaping @Sendable () -> Void) {
        commitObservers.withLock { $0.append(observer) }
    }

    /// Writes queued for the writer now; a gauge for the pool metrics.
    public var writersWaiting: Int { writerThread.waiting }
    public var readerCount: Int { readers.count }

    /// Checkpoints the WAL into the main file and closes every connection. Idempotent; writes
    /// that arrive later fail with `DatabaseClosedError`.
    public func close() async {
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        // Waits out a running checkpoint and keeps new ones from starting.
        while checkpointing.exchange(true, ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(1)) }
        // The writes queued so far commit, then get their sync and their answers.
        await writerThread.stop()
        await syncThread.stop()
        _ = try? await threads.runIfActive { [writer, checkpointer, wal] in
            wal?.close()
            try? writer.executeScript("PRAGMA wal_checkpoint(TRUNCATE)")
            writer.close()
            checkpointer.close()
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

/// The writes of a committed group, waiting for the WAL sync that makes them durable.
private struct CommittedGroup: Sendable {
    let writes: [any PendingWrite]
    let wroteEvents: Bool
}
