import Foundation
import Logging
import NIOCore
@testable import Platform
import Synchronization
import Testing

/// The Redis server of the integration tests, from `NEUROERP_TEST_REDIS_URL`; they are skipped
/// without it. Every test works under keys of its own prefix, so tests run side by side.
enum TestRedis {
    static let url = ProcessInfo.processInfo.environment["NEUROERP_TEST_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static let logger: Logger = {
        var logger = Logger(label: "test.redis")
        logger.logLevel = .error
        return logger
    }()

    static func configuration() throws -> RedisConfiguration {
        try RedisConfiguration(url: try #require(url))
    }

    /// Runs `body` with a fresh client and a key prefix no other test uses; deletes the keys after.
    static func withClient(_ body: (RedisClient, String) async throws -> Void) async throws {
        let client = RedisClient(configuration: try configuration(), logger: logger)
        let prefix = "neuroerp-test:\(UUID().uuidString.prefix(8)):"
        do {
            try await body(client, prefix)
        } catch {
            await deleteKeys(under: prefix, using: client)
            await client.close()
            throw error
        }
        await deleteKeys(under: prefix, using: client)
        await client.close()
    }

    private static func deleteKeys(under prefix: String, using client: RedisClient) async {
        guard let keys = try? await client.send(["KEYS", .string(prefix + "*")]).array?.compactMap(\.string) else { return }
        _ = try? await client.delete(keys)
    }
}

@Suite(.enabled(if: TestRedis.url != nil, "set NEUROERP_TEST_REDIS_URL to run against a real Redis"))
struct RedisClientTests {
    @Test func storesAndReadsBackBytes() async throws {
        try await TestRedis.withClient { client, prefix in
            let key = prefix + "blob"
            let value: [UInt8] = [0x00, 0x01, 0xFF, 0x0D, 0x0A, 0x24]
            try await client.set(key, value)
            #expect(try await client.get(key) == value)
            #expect(try await client.get(prefix + "missing") == nil)

            try await client.set(key, "short-lived", expireMilliseconds: 60_000)
            #expect(try await client.get(key) == Array("short-lived".utf8))
            let timeToLive = try await client.send(["PTTL", .string(key)]).int ?? -1
            #expect((1...60_000).contains(timeToLive))

            #expect(try await client.delete([key, prefix + "missing"]) == 1)
            #expect(try await client.get(key) == nil)
        }
    }

    @Test func pipelinedIncrementsAnswerInOrder() async throws {
        try await TestRedis.withClient { client, prefix in
            let key = prefix + "counter"
            let commands = Array(repeating: ["INCR", RESPArgument.string(key)], count: 1_000)
            let results = try await client.pipeline(commands)
            let values = results.compactMap { try? $0.get().int }
            #expect(values == Array(1...1_000))
        }
    }

    @Test func concurrentCommandsShareThePool() async throws {
        try await TestRedis.withClient { client, prefix in
            let key = prefix + "counter"
            let values = try await withThrowingTaskGroup(of: Int.self) { group -> Set<Int> in
                for _ in 0..<1_000 { group.addTask { try await client.incr(key) } }
                var values = Set<Int>()
                for try await value in group { values.insert(value) }
                return values
            }
            #expect(values == Set(1...1_000))
        }
    }

    @Test func aRefusedCommandFailsAlone() async throws {
        try await TestRedis.withClient { client, prefix in
            let key = prefix + "text"
            let results = try await client.pipeline([
                ["SET", .string(key), "not a number"],
                ["INCR", .string(key)],
                ["GET", .string(key)],
                ["LPUSH", .string(key), "x"],
            ])
            #expect(try results[0].get() == .simpleString("OK"))
            #expect(results[1].failure?.serverCode == "ERR")
            #expect(try results[2].get().string == "not a number")
            #expect(results[3].failure?.serverCode == "WRONGTYPE")

            let error = await #expect(throws: RedisError.self) { try await client.send(["NO-SUCH-COMMAND"]) }
            #expect(error?.serverCode == "ERR")
            try await client.ping()  // the connection carries on
        }
    }

    @Test func runsALuaScriptByItsDigest() async throws {
        try await TestRedis.withClient { client, prefix in
            let key = prefix + "scripted"
            // A script no server has seen (the prefix is in it), so the first call meets NOSCRIPT.
            let script = "-- \(prefix)\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])"
            #expect(try await client.eval(script: script, keys: [key], arguments: [5]) == .integer(5))
            #expect(try await client.eval(script: script, keys: [key], arguments: [5]) == .integer(10))
            let known = try await client.send(["SCRIPT", "EXISTS", .string(RedisScriptDigest.sha1(script))])
            #expect(known.array == [.integer(1)])
        }
    }

    @Test func streamsDeliverAcknowledgeAndHandOverEntries() async throws {
        try await TestRedis.withClient { client, prefix in
            let stream = prefix + "events"
            #expect(try await client.xgroupCreate(stream: stream, group: "relay", startID: "0", mkstream: true))
            #expect(try await client.xgroupCreate(stream: stream, group: "relay", startID: "0", mkstream: true) == false)

            let first = try await client.xadd(stream: stream, maxLength: 1_000, fields: [("type", Array("created".utf8)), ("n", [1])])
            let second = try await client.xadd(stream: stream, maxLength: 1_000, fields: [("type", Array("updated".utf8))])

            let delivered = try await client.xreadgroup(group: "relay", consumer: "alice", streams: [(stream, ">")], count: 10)
            #expect(delivered.map { $0.id } == [first, second])
            #expect(delivered.map { $0.stream } == [stream, stream])
            #expect(delivered.first?.fields.map { $0.0 } == ["type", "n"])
            #expect(delivered.first?.fields.map { $0.1 } == [Array("created".utf8), [1]])

            let pending = try await client.xpending(stream: stream, group: "relay")
            #expect(pending.count == 2)
            #expect(pending.smallestID == first)
            #expect(pending.countByConsumer == ["alice": 2])

            #expect(try await client.xack(stream: stream, group: "relay", ids: [first]) == 1)

            // Alice stops with the second entry unacknowledged; once it has idled, Bob takes it over.
            try await Task.sleep(for: .milliseconds(50))
            let claim = try await client.xautoclaim(
                stream: stream, group: "relay", consumer: "bob", minIdleMilliseconds: 10, start: "0-0", count: 10)
            #expect(claim.entries.map { $0.id } == [second])
            #expect(claim.nextStart == "0-0")
            let bobsOwn = try await client.xreadgroup(group: "relay", consumer: "bob", streams: [(stream, "0")])
            #expect(bobsOwn.map { $0.id } == [second])
            #expect(try await client.xpending(stream: stream, group: "relay").countByConsumer == ["bob": 1])
        }
    }

    @Test func aBlockingReadWaitsOnItsOwnConnection() async throws {
        try await TestRedis.withClient { client, prefix in
            let stream = prefix + "blocking"
            try await client.xgroupCreate(stream: stream, group: "g", startID: "$", mkstream: true)
            let consumer = try await client.makeDedicatedConnection()
            let empty = try await consumer.xreadgroup(
                group: "g", consumer: "c", streams: [(stream, ">")], count: 1, blockMilliseconds: 50)
            #expect(empty.isEmpty)

            async let woken = consumer.xreadgroup(
                group: "g", consumer: "c", streams: [(stream, ">")], count: 1, blockMilliseconds: 10_000)
            try await Task.sleep(for: .milliseconds(100))
            try await client.ping()  // the pool is not held up by the blocked read
            let id = try await client.xadd(stream: stream, fields: [("k", [7])])
            let woke = try await woken
            #expect(woke.map { $0.id } == [id])
            await consumer.close()
        }
    }

    @Test func aWrongPasswordFailsClearly() async throws {
        var configuration = try TestRedis.configuration()
        configuration.password = "wrong-\(UUID().uuidString)"
        let error = await #expect(throws: RedisError.self) {
            try await RedisConnection.connect(configuration: configuration)
        }
        // WRONGPASS from a server with a password; without one, Redis refuses AUTH as well.
        #expect(error?.description.contains("refused the login") == true)

        let client = RedisClient(configuration: configuration, logger: TestRedis.logger)
        let first = await #expect(throws: RedisError.self) { try await client.ping() }
        #expect(first?.description.contains("refused the login") == true)
        await client.close()
    }

    @Test func aCommandPastItsTimeoutFailsAndClosesTheConnection() async throws {
        var configuration = try TestRedis.configuration()
        configuration.commandTimeoutMilliseconds = 100
        let connection = try await RedisConnection.connect(configuration: configuration)
        do {
            _ = try await connection.send(["DEBUG", "SLEEP", "0"])
        } catch RedisError.server(let message) {
            await connection.close()
            try Test.cancel("DEBUG is not allowed on this server (\(message))")
        }
        await #expect(throws: RedisError.timeout) { try await connection.send(["DEBUG", "SLEEP", "0.5"]) }
        let deadline = ContinuousClock.now + .seconds(2)
        while connection.isOpen, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!connection.isOpen)
        await #expect(throws: RedisError.connectionClosed) { try await connection.send(["PING"]) }
    }

    @Test func pushMessagesAreNotTakenForReplies() async throws {
        try await TestRedis.withClient { client, prefix in
            let pushes = PushLog()
            let tracked = try await RedisConnection.connect(configuration: try TestRedis.configuration()) { push in
                pushes.values.withLock { $0.append(push) }
            }
            guard tracked.protocolVersion == 3 else {
                await tracked.close()
                return  // RESP2 has no push messages
            }
            let key = prefix + "tracked"
            try await client.set(key, "before")
            _ = try await tracked.send(["CLIENT", "TRACKING", "ON"])
            #expect(try await tracked.get(key) == Array("before".utf8))
            try await client.set(key, "after")  // Redis pushes an invalidation to `tracked`
            let deadline = ContinuousClock.now + .seconds(2)
            while pushes.values.withLock({ $0.isEmpty }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let firstPush = pushes.values.withLock { $0.first }
            #expect(firstPush?.array?.first?.string == "invalidate")
            #expect(try await tracked.get(key) == Array("after".utf8))  // replies still pair with commands
            await tracked.close()
        }
    }
}

@Suite struct RedisUnavailableTests {
    @Test func failsFastWhileNothingListens() async throws {
        // Port 1 is closed on any test machine: connecting is refused at once.
        let client = RedisClient(
            configuration: RedisConfiguration(host: "127.0.0.1", port: 1, connectTimeoutMilliseconds: 500),
            logger: TestRedis.logger)
        let first = await #expect(throws: RedisError.self) { try await client.ping() }
        #expect(first?.description.contains("127.0.0.1:1") == true)
        let second = await #expect(throws: RedisError.self) { try await client.ping() }
        #expect(second?.description.contains("next connection attempt in") == true)
        await client.close()
    }
}

@Suite struct RedisPoolStateTests {
    final class FakeConnection: RedisPoolMember {
        private let open = Atomic<Bool>(true)
        private let pending = Atomic<Int>(0)
        private let blocking = Atomic<Int>(0)
        var isOpen: Bool { open.load(ordering: .relaxed) }
        var pendingCommands: Int { pending.load(ordering: .relaxed) }
        var blockingCommands: Int { blocking.load(ordering: .relaxed) }
        func close() { open.store(false, ordering: .relaxed) }
        func setPending(_ count: Int) { pending.store(count, ordering: .relaxed) }
        func setBlocking(_ count: Int) { blocking.store(count, ordering: .relaxed) }
    }

    typealias Pool = RedisPoolState<FakeConnection>

    /// Runs the attempt the pool asks for, as the client would, with the given outcome.
    private func connect(_ pool: inout Pool, now: ContinuousClock.Instant, succeeding: Bool) -> FakeConnection? {
        guard case .connect(let slot) = pool.choose(now: now) else {
            Issue.record("the pool did not ask for a connection")
            return nil
        }
        let connection = FakeConnection()
        pool.attemptStarted(slot: slot, task: Task { connection })
        if succeeding {
            let kept = pool.attemptSucceeded(slot: slot, connection: connection)
            #expect(kept)
            return connection
        }
        _ = pool.attemptFailed(slot: slot, reason: "connection refused", now: now, jitter: 1)
        return nil
    }

    @Test func opensTheFirstConnectionOnTheFirstCommand() throws {
        var pool = Pool(endpoint: "redis:6379", size: 4)
        let now = ContinuousClock.now
        let opened = connect(&pool, now: now, succeeding: true)
        let connection = try #require(opened)
        guard case .use(let chosen) = pool.choose(now: now) else { Issue.record("no connection chosen"); return }
        #expect(chosen === connection)
    }

    @Test func refusesAtOnceWhileBackingOffThenTriesAgain() {
        var pool = Pool(endpoint: "redis:6379", size: 4)
        let start = ContinuousClock.now
        _ = connect(&pool, now: start, succeeding: false)
        guard case .refuse(let reason) = pool.choose(now: start + .milliseconds(50)) else {
            Issue.record("a command was not refused during the backoff")
            return
        }
        #expect(reason.contains("connection refused; next connection attempt in 50 ms"))
        _ = connect(&pool, now: start + .milliseconds(101), succeeding: false)
        guard case .refuse = pool.choose(now: start + .milliseconds(250)) else {
            Issue.record("the backoff did not double")
            return
        }
        // Redis is back: the next attempt after the backoff succeeds, and the backoff is forgotten.
        _ = connect(&pool, now: start + .milliseconds(302), succeeding: true)
        #expect(pool.consecutiveFailures == 0)
        #expect(pool.retryAt == nil)
    }

    @Test func backsOffFrom100MillisecondsDoublingTo5Seconds() {
        #expect((1...8).map { Pool.backoffMilliseconds(afterFailures: $0, jitter: 1) } == [100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000])
        #expect(Pool.backoffMilliseconds(afterFailures: 1, jitter: 0) == 50)
        #expect(Pool.backoffMilliseconds(afterFailures: 100, jitter: 0.5) == 3_750)
    }

    @Test func replacesAConnectionThatClosed() throws {
        var pool = Pool(endpoint: "redis:6379", size: 1)
        let now = ContinuousClock.now
        let opened = connect(&pool, now: now, succeeding: true)
        try #require(opened).close()
        let reopened = connect(&pool, now: now, succeeding: true)  // at once: no backoff for a closed connection
        #expect(reopened != nil)
    }

    @Test func sendsToTheLeastBusyAndGrowsWhenAllAreBusy() throws {
        var pool = Pool(endpoint: "redis:6379", size: 2)
        let now = ContinuousClock.now
        let opened = connect(&pool, now: now, succeeding: true)
        let busy = try #require(opened)
        busy.setPending(3)
        guard case .useAndGrow(let chosen, let slot) = pool.choose(now: now) else {
            Issue.record("the pool did not grow")
            return
        }
        #expect(chosen === busy)
        let idle = FakeConnection()
        pool.attemptStarted(slot: slot, task: Task { idle })
        let kept = pool.attemptSucceeded(slot: slot, connection: idle)
        #expect(kept)
        guard case .use(let next) = pool.choose(now: now) else { Issue.record("no connection chosen"); return }
        #expect(next === idle)

        idle.setPending(1)
        idle.setBlocking(1)
        guard case .use(let unblocked) = pool.choose(now: now) else { Issue.record("no connection chosen"); return }
        #expect(unblocked === busy)  // busier, but not held by a blocking read
    }

    @Test func refusesEverythingOnceClosed() throws {
        var pool = Pool(endpoint: "redis:6379", size: 2)
        let now = ContinuousClock.now
        let opened = connect(&pool, now: now, succeeding: true)
        let connection = try #require(opened)
        let held = pool.close()
        #expect(held.connections.map { ObjectIdentifier($0) } == [ObjectIdentifier(connection)])
        guard case .refuse(let reason) = pool.choose(now: now) else { Issue.record("a closed pool took a command"); return }
        #expect(reason.contains("closed"))
    }
}

@Suite struct RedisConfigurationTests {
    @Test func readsEveryPartOfTheURL() throws {
        let configuration = try RedisConfiguration(
            url: "redis://erp%40x:s%2Fcret@cache.local:6380/3?pool_size=8&timeout_ms=500&connect_timeout_ms=250")
        #expect(configuration.host == "cache.local")
        #expect(configuration.port == 6380)
        #expect(configuration.username == "erp@x")
        #expect(configuration.password == "s/cret")
        #expect(configuration.database == 3)
        #expect(configuration.poolSize == 8)
        #expect(configuration.commandTimeoutMilliseconds == 500)
        #expect(configuration.connectTimeoutMilliseconds == 250)
        #expect(!configuration.description.contains("s/cret"))
        #expect(!configuration.description.contains("cret"))
    }

    @Test func fillsInTheDefaults() throws {
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1")
        #expect(configuration == RedisConfiguration())
        let passwordOnly = try RedisConfiguration(url: "redis://:secret@127.0.0.1:6379/0")
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password == "secret")
        #expect(passwordOnly.description == "redis://:***@127.0.0.1:6379/0?pool_size=4&timeout_ms=2000&connect_timeout_ms=1000&key_prefix=neuroerp:")
        #expect(try RedisConfiguration(url: "redis://127.0.0.1?key_prefix=acme:").keyPrefix == "acme:")
        #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: "redis://127.0.0.1?key_prefix=") }
    }

    @Test(arguments: [
        ("http://h", "must start with redis://"),
        ("rediss://h", "TLS"),
        ("redis://", "no host"),
        ("redis://user@h", "no password"),
        ("redis://h/cache", "database number"),
        ("redis://h:0", "port"),
        ("redis://h?pool_size=0", "pool_size"),
        ("redis://h?timeout_ms=soon", "timeout_ms"),
        ("redis://h?poolsize=3", "poolsize is unknown"),
    ])
    func refusesAURLWithAClearReason(url: String, reason: String) {
        let error = #expect(throws: RedisConfigurationError.self) { try RedisConfiguration(url: url) }
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }
}

/// What a connection received as RESP3 push messages.
final class PushLog: Sendable {
    let values = Mutex<[RESPValue]>([])
}

extension Result {
    fileprivate var failure: Failure? {
        guard case .failure(let error) = self else { return nil }
        return error
    }
}
