import Foundation
import Synchronization

/// Counts failed logins per account and per client address in a sliding window, and says how
/// long to wait once a limit is reached. Checked before any password work, so a guessing run
/// costs the attacker time and the server nothing.
///
/// In-process: each auth replica counts on its own (a shared count comes with Redis).
final class LoginThrottle: Sendable {
    struct Limits: Sendable {
        var failuresPerAccount = 5
        var failuresPerAddress = 20
        var window: Duration = .seconds(15 * 60)
        /// Bound on the keys remembered; the oldest are forgotten first.
        var maximumKeys = 100_000
    }

    private let limits: Limits
    private let now: @Sendable () -> ContinuousClock.Instant
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    init(limits: Limits = Limits(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.limits = limits
        self.now = now
    }

    /// Seconds to wait before the next attempt, `nil` when an attempt may go ahead.
    func retryAfter(account: String, address: String?) -> Int? {
        let time = now()
        return failures.withLock { failures in
            var wait: Duration?
            for (key, limit) in keys(account: account, address: address) {
                let recent = (failures[key] ?? []).filter { time - $0 < limits.window }
                failures[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first {
                    let remaining = limits.window - (time - oldest)
                    wait = max(wait ?? .zero, remaining)
                }
            }
            return wait.map { max(1, Int($0.components.seconds) + 1) }
        }
    }

    func recordFailure(account: String, address: String?) {
        let time = now()
        failures.withLock { failures in
            if failures.count >= limits.maximumKeys, let victim = failures.min(by: { ($0.value.last ?? time) < ($1.value.last ?? time) })?.key {
                failures[victim] = nil
            }
            for (key, _) in keys(account: account, address: address) {
                failures[key, default: []].append(time)
            }
        }
    }

    /// A successful login forgets the account's failures (not the address's).
    func recordSuccess(account: String) {
        _ = failures.withLock { $0.removeValue(forKey: "account:" + account.lowercased()) }
    }

    private func keys(account: String, address: String?) -> [(String, Int)] {
        var keys = [("account:" + account.lowercased(), limits.failuresPerAccount)]
        if let address { keys.append(("address:" + address, limits.failuresPerAddress)) }
        return keys
    }
}
