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
            arguments: [.integer(window.milliseconds)] + limits.map { .integer($0.limit) })
        guard case .integer(let milliseconds) = reply else { throw RedisError.unexpected("rate-limit wait", reply, expected: "an integer") }
        return milliseconds > 0 ? .milliseconds(milliseconds) : nil
    }

    public func hit(_ keys: [String], window: Duration) async throws {
        _ = try await client.eval(
            script: Self.hitScript, keys: keys.map { prefix + $0 },
            arguments: [.integer(window.milliseconds), .string(UUID().uuidString), .integer(Self.maximumEventsPerKey)])
    }

    public func reset(_ key: String) async throws {
        _ = try await client.delete([prefix + key, prefix + "gcra:" + key])
    }

    public func acquire(_ limit: RateLimit, window: Duration) async throws -> RateLimitDecision {
        try Self.decision(try await client.eval(script: Self.acquireScript, keys: acquireKeys(limit), arguments: Self.acquireArguments(limit, window)))
    }

    public func acquire(
        _ limit: RateLimit, window: Duration, whenDecided decided: @escaping @Sendable (Result<RateLimitDecision, any Error>) -> Void
    ) -> Bool {
        guard let reply = client.evalReply(script: Self.acquireScript, keys: acquireKeys(limit), arguments: Self.acquireArguments(limit, window)) else {
            return false
        }
        reply.whenComplete { result in decided(result.flatMap { reply in Result { try Self.decision(reply) } }) }
        return true
    }

    private func acquireKeys(_ limit: RateLimit) -> [String] { [prefix + "gcra:" + limit.key] }

    private static func acquireArguments(_ limit: RateLimit, _ window: Duration) -> [RESPArgument] {
        [.integer(microseconds(window / limit.limit)), .integer(microseconds(window))]
    }

    /// The acquire script's answer as a decision.
    private static func decision(_ reply: RESPValue) throws -> RateLimitDecision {
        guard case .array(let values) = reply, values.count == 4, case .integer(let allowed) = values[0], case .integer(let remaining) = values[1],
            case .integer(let reset) = values[2], case .integer(let retryAfter) = values[3]
        else { throw RedisError.unexpected("rate-limit acquire", reply, expected: "four integers") }
        return RateLimitDecision(allowed: allowed == 1, remaining: remaining, reset: .microseconds(reset), retryAfter: .microseconds(retryAfter))
    }

    private static func microseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000 + Int(duration.components.attoseconds / 1_000_000_000_000)
    }

    /// GCRA (see `GCRA.decide`) on Redis's clock. KEYS: the key's TAT in µs; ARGV: the interval
    /// between events and the window, in µs. Returns allowed (0/1), remaining, reset and retry
    /// after in µs.
    static let acquireScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local interval = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local start = tonumber(redis.call('GET', KEYS[1]) or now)
        if start < now then start = now end
        local next = start + interval
        if next - now > window then
          return {0, 0, start - now, next - now - window}
        end
        redis.call('SET', KEYS[1], string.format('%d', next), 'PX', math.ceil((next - now) / 1000))
        return {1, math.floor((window - (next - now)) / interval), next - now, 0}
        """

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
