import Synchronization

/// A first-come, first-served lock for async code: the holder may suspend while holding it.
///
/// SQLite allows one writer at a time; this serialises writers in the process so they queue
/// here instead of spinning on `SQLITE_BUSY`.
public final class AsyncLock: Sendable {
    private struct State {
        var locked = false
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Runs `body` while holding the lock.
    /// - Throws: `CancellationError` if the task is cancelled while waiting, or what `body` throws.
    public func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// How many tasks wait for the lock now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    private enum Attempt { case acquired, queued, cancelled }

    private func acquire() async throws {
        let id = state.withLock { state -> UInt64? in
            guard state.locked else {
                state.locked = true
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Checked again under the lock: the holder may have released since the first look.
                let attempt = state.withLock { state -> Attempt in
                    if Task.isCancelled { return .cancelled }
                    if !state.locked {
                        state.locked = true
                        return .acquired
                    }
                    state.waiters.append((id, continuation))
                    return .queued
                }
                switch attempt {
                case .acquired: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .queued: break
                }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiters.isEmpty else {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst().continuation  // ownership passes on; stays locked
        }
        next?.resume()
    }
}
