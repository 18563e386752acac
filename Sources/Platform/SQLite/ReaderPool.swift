import Synchronization

/// Reader connections handed out one caller at a time; callers wait in arrival order when all
/// are busy. Once closing, it hands out nothing more.
final class ReaderPool: Sendable {
    private struct State {
        var idle: [SQLiteConnection]
        var waiters: [CheckedContinuation<SQLiteConnection?, Never>] = []
        var closing = false
        var returned: [SQLiteConnection] = []
        var drainer: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>
    let count: Int

    init(_ connections: [SQLiteConnection]) {
        state = Mutex(State(idle: connections))
        count = connections.count
    }

    /// A free connection, or `nil` once the pool is closing.
    func checkOut() async -> SQLiteConnection? {
        await withCheckedContinuation { continuation in
            let immediate = state.withLock { state -> SQLiteConnection?? in
                if state.closing { return .some(nil) }
                guard let connection = state.idle.popLast() else {
                    state.waiters.append(continuation)
                    return .none
                }
                return .some(connection)
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    func checkIn(_ connection: SQLiteConnection) {
        let (waiter, drainer) = state.withLock { state -> (CheckedContinuation<SQLiteConnection?, Never>?, CheckedContinuation<Void, Never>?) in
            if state.closing {
                state.returned.append(connection)
                guard state.returned.count == count, let drainer = state.drainer else { return (nil, nil) }
                state.drainer = nil
                return (nil, drainer)
            }
            guard !state.waiters.isEmpty else {
                state.idle.append(connection)
                return (nil, nil)
            }
            return (state.waiters.removeFirst(), nil)
        }
        waiter?.resume(returning: connection)
        drainer?.resume()
    }

    /// Stops handing out connections and returns all of them once the ones in use are back.
    func close() async -> [SQLiteConnection] {
        await withCheckedContinuation { (drainer: CheckedContinuation<Void, Never>) in
            let (waiters, done) = state.withLock { state -> ([CheckedContinuation<SQLiteConnection?, Never>], Bool) in
                state.closing = true
                state.returned += state.idle
                state.idle = []
                let waiters = state.waiters
                state.waiters = []
                let done = state.returned.count == count
                if !done { state.drainer = drainer }
                return (waiters, done)
            }
            for waiter in waiters { waiter.resume(returning: nil) }
            if done { drainer.resume() }
        }
        return state.withLock { $0.returned }
    }
}
