import Platform
import Synchronization
import Testing
@testable import AuthService

@Suite struct LoginThrottleUnitTests {
    final class Clock: Sendable {
        private let base = ContinuousClock.now
        private let offset = Mutex(Duration.zero)
        var now: ContinuousClock.Instant { base + offset.withLock { $0 } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    }

    private func throttle(account: Int, address: Int, clock: Clock = Clock()) -> LoginThrottle {
        LoginThrottle(
            limits: .init(failuresPerAccount: account, failuresPerAddress: address, window: .seconds(60)),
            store: InProcessRateLimitStore(now: { clock.now }))
    }

    @Test func aWindowOfFailuresBlocksUntilTheOldestLeavesIt() async throws {
        let clock = Clock()
        let throttle = throttle(account: 3, address: 100, clock: clock)
        for _ in 0..<3 { try await throttle.recordFailure(account: "A@x.de", address: "10.0.0.1") }
        #expect(try await throttle.retryAfter(account: "a@x.de", address: "10.0.0.2") == 61)
        clock.advance(.seconds(30))
        #expect(try await throttle.retryAfter(account: "a@x.de", address: nil) == 31)
        clock.advance(.seconds(31))
        #expect(try await throttle.retryAfter(account: "a@x.de", address: nil) == nil)
    }

    @Test func oneAddressGuessingManyAccountsIsBlockedToo() async throws {
        let throttle = throttle(account: 100, address: 4)
        for n in 0..<4 { try await throttle.recordFailure(account: "user\(n)@x.de", address: "10.0.0.9") }
        #expect(try await throttle.retryAfter(account: "fresh@x.de", address: "10.0.0.9") != nil)
        #expect(try await throttle.retryAfter(account: "fresh@x.de", address: "10.0.0.8") == nil)
    }

    @Test func successForgetsTheAccountsFailures() async throws {
        let throttle = throttle(account: 2, address: 100)
        try await throttle.recordFailure(account: "a@x.de", address: nil)
        try await throttle.recordSuccess(account: "a@x.de")
        try await throttle.recordFailure(account: "a@x.de", address: nil)
        #expect(try await throttle.retryAfter(account: "a@x.de", address: nil) == nil)
    }
}
