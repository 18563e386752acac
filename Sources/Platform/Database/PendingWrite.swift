/// A write waiting for its group commit.
protocol PendingWrite: Sendable {
    /// Runs the write inside the group's transaction; `false` when it failed and must be undone.
    /// - Parameter flushing: wait for the statements it held back (see `HoldingExecutor`);
    ///   without, they leave with the next write's, and a failure among them fails the group.
    func run(in executor: any SQLExecutor, flushing: Bool) -> Bool
    /// Hands the caller its result, or the commit's failure.
    func complete(commitError: (any Error)?)
    /// Forgets what an attempt that was rolled back left: the group runs again.
    func discardOutcome()
}

final class WriteRequest<T: Sendable>: PendingWrite, @unchecked Sendable {
    private let body: @Sendable (any SQLExecutor) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    // Set on the writer thread by `run`, read by `complete` after the commit: never at once.
    private var outcome: Result<T, any Error>?

    init(body: @escaping @Sendable (any SQLExecutor) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(in executor: any SQLExecutor, flushing: Bool) -> Bool {
        let holding = executor as? any HoldingExecutor
        do {
            let value = try body(executor)
            if flushing { try holding?.flush() } else { holding?.endWrite() }
            outcome = .success(value)
            return true
        } catch {
            holding?.discardHeldWrites()
            outcome = .failure(error)
            return false
        }
    }

    func discardOutcome() { outcome = nil }

    func complete(commitError: (any Error)?) {
        switch (outcome, commitError) {
        case (.failure(let own)?, _): continuation.resume(throwing: own)  // its own failure, whatever the group did
        case (_, let commitError?): continuation.resume(throwing: commitError)
        case (.success(let value)?, nil): continuation.resume(returning: value)
        case (nil, nil): continuation.resume(throwing: CancellationError())  // a committed group ran every write
        }
    }
}

/// An executor that holds statements back to send them together: a write's statements must all
/// have been answered before the write counts as done, and a failed write's held-back
/// statements must never reach the server (the next write would take their failure). When a
/// group's writes leave together, a failure fails the group, which runs again write by write.
protocol HoldingExecutor {
    func flush() throws
    /// Marks where one write's held statements end and the next write's begin, when they leave
    /// together: a write's statements are sent as one (`CombinedWrite`), of the same shape each time.
    func endWrite()
    func discardHeldWrites()
}

/// The part of a group commit both backends share: each write of a group in a savepoint of its
/// own, so a failing write undoes its statements only; on a database server first all writes
/// together without savepoints (`runTogether`).
enum GroupCommit {
    /// Runs `batch` inside the open transaction; `statement` runs the savepoint statements.
    /// - Returns: `false` when the group was a single write that failed: the caller rolls the
    ///   whole transaction back instead of committing.
    static func run(
        _ batch: [any PendingWrite], in executor: any SQLExecutor, notes: TransactionNotes, statement: (String) throws -> Void
    ) throws -> Bool {
        let group = notes.group
        if batch.count == 1 {
            // Alone in its transaction: no savepoint needed, a failure rolls everything back.
            group.beginWrite()
            guard batch[0].run(in: executor, flushing: true) else {
                notes.wroteEvents = false
                return false
            }
            group.keepWrite()
            try group.finish(on: executor)
            return true
        }
        for request in batch {
            let wroteEventsBefore = notes.wroteEvents
            try statement("SAVEPOINT grouped_write")
            group.beginWrite()
            if request.run(in: executor, flushing: true) {
                group.keepWrite()
            } else {
                try statement("ROLLBACK TO grouped_write")
                group.discardWrite()
                notes.wroteEvents = wroteEventsBefore  // its events are gone with it
            }
            try statement("RELEASE grouped_write")
        }
        // A failure here fails the whole group: each write's own checks ran already.
        try group.finish(on: executor)
        return true
    }
}

extension GroupCommit {
    /// Runs `batch` inside the open transaction without savepoints and without waiting between
    /// its writes: on a database server each wait is a round trip, and each savepoint two more.
    /// The statements the writes held back leave together after the last write, each write's
    /// apart from the next one's (`HoldingExecutor.endWrite`).
    /// - Returns: `false` when a write failed: the caller rolls the transaction back and runs the
    ///   batch again with `run` (the writes' bodies run again, as after a lost connection). So
    ///   does a failure of a statement sent later.
    static func runTogether(_ batch: [any PendingWrite], in executor: any SQLExecutor, notes: TransactionNotes) throws -> Bool {
        let group = notes.group
        for request in batch {
            group.beginWrite()
            guard request.run(in: executor, flushing: false) else { return false }
            group.keepWrite()
        }
        try group.finish(on: executor)
        return true
    }
}

/// Facts about one write transaction, written on the writer thread and read after the commit.
final class TransactionNotes: @unchecked Sendable {
    // Touched by the writer thread during the group, then by the draining task after it.
    var wroteEvents = false
    let group = WriteGroup()
}

extension BatchingThread where Job == any PendingWrite {
    /// Queues `body` for the writer of database `name` and waits for its group's outcome;
    /// `whenQueued` runs once it is in the queue.
    func write<T: Sendable>(
        database name: String, whenQueued: (@Sendable () -> Void)?, _ body: @escaping @Sendable (any SQLExecutor) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let queued = submit(WriteRequest(body: body, continuation: continuation))
            whenQueued?()
            if !queued { continuation.resume(throwing: DatabaseClosedError(name: name)) }
        }
    }
}
