import ERPKernel
import Foundation

/// Counts failed logins per account and per client address in a sliding window, and says how
/// long to wait once a limit is reached. Checked before any password work, so a guessing run
/// costs the attacker time and the server nothing.
///
/// The counts live in the environment's rate-limit store: in-process in embedded mode, in Redis
/// when distributed, so every auth process counts the same failures.
struct LoginThrottle: Sendable {
    struct Limits: Sendable {
        var failuresPerAccount = 5
        var failuresPerAddress = 20
        var window: Duration = .seconds(15 * 60)
    }

    let limits: Limits
    let store: any RateLimitStore

    /// Seconds to wait before the next attempt, `nil` when an attempt may go ahead.
    func retryAfter(account: String, address: String?) async throws -> Int? {
        try await store.wait(for: keys(account: account, address: address), window: limits.window)
            .map { max(1, Int($0.components.seconds) + 1) }
    }

    func recordFailure(account: String, address: String?) async throws {
        try await store.hit(keys(account: account, address: address).map(\.key), window: limits.window)
    }

    /// A successful login forgets the account's failures (not the address's).
    func recordSuccess(account: String) async throws {
        try await store.reset(Self.accountKey(account))
    }

    private func keys(account: String, address: String?) -> [RateLimit] {
        var keys = [RateLimit(key: Self.accountKey(account), limit: limits.failuresPerAccount)]
        if let address { keys.append(RateLimit(key: "login:address:" + address, limit: limits.failuresPerAddress)) }
        return keys
    }

    private static func accountKey(_ account: String) -> String { "login:account:" + account.lowercased() }
}
