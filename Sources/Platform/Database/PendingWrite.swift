/// A write waiting for its group commit.
protocol PendingWrite: Sendable {
    /// Runs the write inside the group's transaction; `false` when it failed and must be undone.
    func run(in executor: any SQLExecutor) -> Bool
    /// Hands the caller its result, or the commit's failure.
    func complete(commitError: (any Error)?)
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

    func run(in executor: any SQLExecutor) -> Bool {
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
