import Platform
import Synchronization
import Testing

@Suite struct InProcessCacheTests {
    final class FakeClock: Sendable {
        private let state = Mutex<UInt64>(1_000)
        var milliseconds: UInt64 { state.withLock { $0 } }
        func advance(_ delta: UInt64) { state.withLock { $0 += delta } }
    }

    @Test func entriesExpireAfterTheirTTL() async {
        let clock = FakeClock()
        let cache = InProcessCache(maximumEntries: 10, now: { clock.milliseconds })
        await cache.set("k", value: [1, 2, 3], ttlMilliseconds: 100)
        #expect(await cache.get("k") == [1, 2, 3])
        clock.advance(101)
        #expect(await cache.get("k") == nil)
    }

    @Test func neverHoldsMoreThanItsBound() async {
        let cache = InProcessCache(maximumEntries: 50)
        for n in 0..<1_000 { await cache.set("k\(n)", value: [UInt8(n % 256)], ttlMilliseconds: 60_000) }
        #expect(cache.count == 50)
        #expect(await cache.get("k999") == [UInt8(999 % 256)])  // the newest entry is kept
    }

    @Test func deleteRemoves() async {
        let cache = InProcessCache()
        await cache.set("k", value: [1], ttlMilliseconds: 60_000)
        await cache.delete("k")
        #expect(await cache.get("k") == nil)
    }
}
