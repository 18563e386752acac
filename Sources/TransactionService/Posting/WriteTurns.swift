import Synchronization

/// Hands out turns 0, 1, 2, … so that the writes of a bulk request are queued in the order of its
/// items while everything before the write (reads, checks) runs concurrently.
final class WriteTurns: Sendable {
    private struct State {
        var next = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Returns when every earlier turn has passed.
    func wait(for turn: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                guard state.next < turn else { return true }
                state.waiting[turn] = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Lets the next turn go; later calls for the same turn do nothing.
    func pass(_ turn: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.next == turn else { return nil }
            state.next = turn + 1
            return state.waiting.removeValue(forKey: turn + 1)
        }
        waiter?.resume()
    }

    /// The hooks one item's processing uses.
    func turn(_ number: Int) -> WriteTurn {
        WriteTurn(wait: { await self.wait(for: number) }, pass: { self.pass(number) })
    }
}

/// When a write may be queued, and how to say it has been.
struct WriteTurn: Sendable {
    let wait: @Sendable () async -> Void
    let pass: @Sendable () -> Void
}
