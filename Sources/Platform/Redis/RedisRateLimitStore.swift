import ERPKernel
import Foundation

/// Rate-limit counts in Redis, shared by every process on the same server: one sorted set per
/// key (`<key_prefix>ratelimit:<key>`) whose members are the events, scored by the time Redis
/// saw them. Each operation is one Lua script, so concurrent processes never count past a limit,
/// and Redis's own clock is the only one that matters.
public final class RedisRateLimitStore: RateLimitStore {
    private let client: RedisClient
    private let prefix: String
    /// Events remembered per key at most, whatever the limits (a bound on memory).
    static let maximumEventsPerKey = 1_000

    public init(client: RedisClient) {
        self.client = client
        prefix = client.configuration.keyPrefix + "ratelimit:"
    }

    public func wait(for limits: [RateLimit], window: Duration) async throws -> Duration? {
        let reply = try await client.eval(
            script: Self.waitScript, keys: limits.map { prefix + $0.key },
            arguments: [.integer(Self.milliseconds(window))] + limits.map { .integer($0.limit) })
        guard case .integer(let milliseconds) = reply else { throw RedisError.unexpected("rate-limit wait", reply, expected: "an integer") }
        return milliseconds > 0 ? .milliseconds(milliseconds) : nil
    }

    public func hit(_ keys: [String], window: Duration) async throws {
        _ = try await client.eval(
            script: Self.hitScript, keys: keys.map { prefix + $0 },
            arguments: [.integer(Self.milliseconds(window)), .string(UUID().uuidString), .integer(Self.maximumEventsPerKey)])
    }

    public func reset(_ key: String) async throws {
        _ = try await client.delete([prefix + key])
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000 + Int(duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// KEYS: the keys; ARGV: window in ms, then each key's limit. Returns the ms to wait (0: none).
    static let waitScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local window = tonumber(ARGV[1])
        local wait = 0
        for i, key in ipairs(KEYS) do
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
          local count = redis.call('ZCARD', key)
          local limit = tonumber(ARGV[i + 1])
          if count >= limit then
            local leaving = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
            local remaining = tonumber(leaving[2]) + window - now
            if remaining > wait then wait = remaining end
          end
        end
        return wait
        """

    /// KEYS: the keys; ARGV: window in ms, a member unique to this call, events kept per key.
    static let hitScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local window = tonumber(ARGV[1])
        for i, key in ipairs(KEYS) do
          redis.call('ZADD', key, now, ARGV[2] .. ':' .. i)
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
          redis.call('ZREMRANGEBYRANK', key, 0, -tonumber(ARGV[3]) - 1)
          redis.call('PEXPIRE', key, window)
        end
        return 0
        """
}
