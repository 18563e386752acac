import Platform
import Synchronization
import Testing

@Suite struct AsyncLockTests {
    final class Occupancy: Sendable {
        private let state = Mutex((inside: 0, maximum: 0))
        func enter() { state.withLock { $0.inside += 1; $0.maximum = max($0.maximum, $0.inside) } }
        func leave() { state.withLock { $0.inside -= 1 } }
        var maximum: Int { state.withLock { $0.maximum } }
    }

    @Test func holdersNeverOverlapEvenWhenTheySuspend() async throws {
        let lock = AsyncLock()
        let occupancy = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await lock.withLock {
                        occupancy.enter()
                        await Task.yield()
                        occupancy.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(occupancy.maximum == 1)
    }

    @Test func aCancelledWaiterGivesUpAndTheLockStaysUsable() async throws {
        let lock = AsyncLock()
        let gate = Wakeup()
        let holder = Task { try await lock.withLock { await gate.wait(timeout: .seconds(30)) } }
        while !(await Self.isLocked(lock)) { await Task.yield() }
        let waiter = Task { try await lock.withLock {} }
        while lock.waiting == 0 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(lock.waiting == 0)
        gate.signal()
        try await holder.value
        try await lock.withLock {}
    }

    /// True when a waiter would have to queue; probes with a short-lived waiter.
    static func isLocked(_ lock: AsyncLock) async -> Bool {
        let probe = Task { try await lock.withLock {} }
        try? await Task.sleep(for: .milliseconds(5))
        let queued = lock.waiting > 0
        probe.cancel()
        _ = try? await probe.value
        return queued
    }
}
