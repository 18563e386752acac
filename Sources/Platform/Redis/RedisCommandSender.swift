/// Something that runs Redis commands: the pooled `RedisClient`, or one `RedisConnection`.
/// The typed commands (`get`, `set`, `eval`, the stream commands) are written once, on `send`.
public protocol RedisCommandSender: Sendable {
    /// Sends `command` and waits for its reply, at most the configured command timeout.
    /// - Throws: `RedisError`; `.server` carries Redis's own message.
    func send(_ command: [RESPArgument]) async throws -> RESPValue

    /// Sends a command the server may hold for up to `blockMilliseconds` (0: for ever) before it
    /// answers; the timeout is that long plus the command timeout.
    func send(_ command: [RESPArgument], blockMilliseconds: Int) async throws -> RESPValue
}

extension RedisCommandSender {
    /// - Throws: `RedisError` when Redis cannot be reached or does not answer PONG.
    public func ping() async throws {
        let reply = try await send(["PING"])
        guard reply.string == "PONG" else { throw RedisError.unexpected("PING", reply, expected: "PONG") }
    }

    /// The value of `key`, nil when there is none.
    /// - Throws: `RedisError.server` (`WRONGTYPE`) when `key` holds something other than a string.
    public func get(_ key: String) async throws -> [UInt8]? {
        let reply = try await send(["GET", .string(key)])
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else { throw RedisError.unexpected("GET", reply, expected: "a string or null") }
        return bytes
    }

    /// Stores `value` at `key`, replacing what was there.
    /// - Parameter expireMilliseconds: the time to live; nil keeps the key until it is deleted.
    public func set(_ key: String, _ value: [UInt8], expireMilliseconds: Int? = nil) async throws {
        var command: [RESPArgument] = ["SET", .string(key), .bytes(value)]
        if let expireMilliseconds { command += ["PX", .integer(expireMilliseconds)] }
        let reply = try await send(command)
        guard reply.string == "OK" else { throw RedisError.unexpected("SET", reply, expected: "OK") }
    }

    /// Stores `value` as UTF-8 at `key`; see `set(_:_:expireMilliseconds:)`.
    public func set(_ key: String, _ value: String, expireMilliseconds: Int? = nil) async throws {
        try await set(key, Array(value.utf8), expireMilliseconds: expireMilliseconds)
    }

    /// Deletes `keys`.
    /// - Returns: how many of them existed.
    @discardableResult
    public func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        let command: [RESPArgument] = ["DEL"] + keys.map(RESPArgument.string)
        return try await send(command).requireInteger(from: "DEL")
    }

    /// Adds `amount` to the integer at `key` (a missing key counts as 0).
    /// - Returns: the new value.
    /// - Throws: `RedisError.server` when the value is not an integer or would overflow.
    @discardableResult
    public func incr(_ key: String, by amount: Int = 1) async throws -> Int {
        let command: [RESPArgument] = amount == 1 ? ["INCR", .string(key)] : ["INCRBY", .string(key), .integer(amount)]
        return try await send(command).requireInteger(from: "INCR")
    }

    /// Runs a Lua script. It is sent by its SHA-1 (`EVALSHA`), and in full only when the server
    /// does not know it yet (`NOSCRIPT`, after a restart or `SCRIPT FLUSH`), which also stores it.
    /// - Throws: `RedisError.server` when the script fails.
    public func eval(script: String, keys: [String] = [], arguments: [RESPArgument] = []) async throws -> RESPValue {
        let (byDigest, inFull) = Self.evalCommands(script: script, keys: keys, arguments: arguments)
        do {
            return try await send(byDigest)
        } catch let error as RedisError where error.serverCode == "NOSCRIPT" {
            return try await send(inFull)
        }
    }

    /// The script's `EVALSHA` and, for a server that does not know it yet, its `EVAL`.
    static func evalCommands(script: String, keys: [String], arguments: [RESPArgument]) -> (byDigest: [RESPArgument], inFull: [RESPArgument]) {
        var tail: [RESPArgument] = [.integer(keys.count)]
        tail += keys.map(RESPArgument.string)
        tail += arguments
        return (["EVALSHA", .string(RedisScriptDigest.sha1(script))] + tail, ["EVAL", .string(script)] + tail)
    }
}

extension RedisError {
    static func unexpected(_ command: String, _ reply: RESPValue, expected: String) -> RedisError {
        .unexpectedReply("\(command) answered \(reply); expected \(expected)")
    }
}

extension RESPValue {
    /// The integer of an integer reply.
    /// - Throws: `RedisError.unexpectedReply` naming `command` for any other reply.
    func requireInteger(from command: String) throws -> Int {
        guard case .integer(let value) = self else { throw RedisError.unexpected(command, self, expected: "an integer") }
        return value
    }

    /// The text of a string reply.
    /// - Throws: `RedisError.unexpectedReply` naming `command` for any other reply.
    func requireText(from command: String) throws -> String {
        guard let text = string else { throw RedisError.unexpected(command, self, expected: "a string") }
        return text
    }
}
