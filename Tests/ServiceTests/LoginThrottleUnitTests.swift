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

    @Test func aWindowOfFailuresBlocksUntilTheOldestLeavesIt() {
        let clock = Clock()
        let throttle = LoginThrottle(limits: .init(failuresPerAccount: 3, failuresPerAddress: 100, window: .seconds(60)), now: { clock.now })
        for _ in 0..<3 { throttle.recordFailure(account: "A@x.de", address: "10.0.0.1") }
        #expect(throttle.retryAfter(account: "a@x.de", address: "10.0.0.2") == 61)
        clock.advance(.seconds(30))
        #expect(throttle.retryAfter(account: "a@x.de", address: nil) == 31)
        clock.advance(.seconds(31))
        #expect(throttle.retryAfter(account: "a@x.de", address: nil) == nil)
    }

    @Test func oneAddressGuessingManyAccountsIsBlockedToo() {
        let clock = Clock()
        let throttle = LoginThrottle(limits: .init(failuresPerAccount: 100, failuresPerAddress: 4, window: .seconds(60)), now: { clock.now })
        for n in 0..<4 { throttle.recordFailure(account: "user\(n)@x.de", address: "10.0.0.9") }
        #expect(throttle.retryAfter(account: "fresh@x.de", address: "10.0.0.9") != nil)
        #expect(throttle.retryAfter(account: "fresh@x.de", address: "10.0.0.8") == nil)
    }

    @Test func successForgetsTheAccountsFailures() {
        let throttle = LoginThrottle(limits: .init(failuresPerAccount: 2, failuresPerAddress: 100, window: .seconds(60)))
        throttle.recordFailure(account: "a@x.de", address: nil)
        throttle.recordSuccess(account: "a@x.de")
        throttle.recordFailure(account: "a@x.de", address: nil)
        #expect(throttle.retryAfter(account: "a@x.de", address: nil) == nil)
    }

    @Test func memoryIsBoundedByForgettingTheOldestAccounts() {
        let throttle = LoginThrottle(limits: .init(failuresPerAccount: 1, failuresPerAddress: 100, maximumKeys: 10))
        for n in 0..<1_000 { throttle.recordFailure(account: "user\(n)@x.de", address: nil) }
        #expect(throttle.retryAfter(account: "user0@x.de", address: nil) == nil)  // forgotten
        #expect(throttle.retryAfter(account: "user999@x.de", address: nil) != nil)  // still counted
    }
}
