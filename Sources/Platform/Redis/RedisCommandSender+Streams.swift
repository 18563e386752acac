/// One entry of a stream: the stream, the entry ID, and its fields in the order they were added.
/// An entry deleted after delivery reads back from the pending list with no fields.
public typealias RedisStreamEntry = (stream: String, id: String, fields: [(String, [UInt8])])

/// What a consumer group has delivered and not yet had acknowledged (`XPENDING` without a range).
public struct RedisStreamPendingSummary: Sendable, Equatable {
    public var count: Int
    /// The lowest and highest pending entry IDs; nil when nothing is pending.
    public var smallestID: String?
    public var greatestID: String?
    /// Pending entries by consumer name; consumers with none are not listed.
    public var countByConsumer: [String: Int]
}

extension RedisCommandSender {
    /// Appends an entry to `stream` (created if missing) with a server-made ID.
    /// - Parameter maxLength: trims the stream to about this many entries (`MAXLEN ~`, which trims
    ///   whole nodes only, so it costs little); nil keeps every entry.
    /// - Returns: the new entry's ID.
    @discardableResult
    public func xadd(stream: String, maxLength: Int? = nil, fields: [(String, [UInt8])]) async throws -> String {
        precondition(!fields.isEmpty, "a stream entry needs one field at least")
        var command: [RESPArgument] = ["XADD", .string(stream)]
        if let maxLength { command += ["MAXLEN", "~", .integer(maxLength)] }
        command.append("*")
        for (name, value) in fields {
            command.append(.string(name))
            command.append(.bytes(value))
        }
        return try await send(command).requireText(from: "XADD")
    }

    /// Creates consumer group `group` on `stream`, delivering entries after `startID` (`$`: only
    /// entries added from now on; `0`: the whole stream).
    /// - Parameter mkstream: creates the stream when it does not exist (otherwise that is an error).
    /// - Returns: false when the group already existed, which is not an error.
    @discardableResult
    public func xgroupCreate(stream: String, group: String, startID: String = "$", mkstream: Bool = false) async throws -> Bool {
        var command: [RESPArgument] = ["XGROUP", "CREATE", .string(stream), .string(group), .string(startID)]
        if mkstream { command.append("MKSTREAM") }
        do {
            _ = try await send(command)
            return true
        } catch let error as RedisError where error.serverCode == "BUSYGROUP" {
            return false
        }
    }

    /// Reads entries for `consumer` of `group`: with ID `>` the entries never delivered to the
    /// group, with an ID such as `0` the consumer's own pending entries after it.
    /// - Parameter blockMilliseconds: waits up to this long when there is nothing (0: for ever);
    ///   nil does not wait. A blocking read holds its connection; see `RedisClient.makeDedicatedConnection()`.
    /// - Returns: the entries, stream by stream; empty when the wait ended with none.
    public func xreadgroup(
        group: String, consumer: String, streams: [(stream: String, id: String)], count: Int? = nil,
        blockMilliseconds: Int? = nil
    ) async throws -> [RedisStreamEntry] {
        precondition(!streams.isEmpty, "XREADGROUP needs one stream at least")
        var command: [RESPArgument] = ["XREADGROUP", "GROUP", .string(group), .string(consumer)]
        if let count { command += ["COUNT", .integer(count)] }
        if let blockMilliseconds { command += ["BLOCK", .integer(blockMilliseconds)] }
        command.append("STREAMS")
        command += streams.map { RESPArgument.string($0.stream) }
        command += streams.map { RESPArgument.string($0.id) }
        let reply: RESPValue
        if let blockMilliseconds {
            reply = try await send(command, blockMilliseconds: blockMilliseconds)
        } else {
            reply = try await send(command)
        }
        return try RedisStreamReply.entriesByStream(reply, command: "XREADGROUP")
    }

    /// Acknowledges entries, taking them off the group's pending list.
    /// - Returns: how many were pending.
    @discardableResult
    public func xack(stream: String, group: String, ids: [String]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        var command: [RESPArgument] = ["XACK", .string(stream), .string(group)]
        command += ids.map(RESPArgument.string)
        return try await send(command).requireInteger(from: "XACK")
    }

    /// Takes over entries pending for at least `minIdleMilliseconds` with any consumer of `group`
    /// (one that crashed, say) and gives them to `consumer`, scanning from ID `start`.
    /// - Returns: where the next scan starts (`0-0` when the scan is complete), the entries
    ///   claimed, and the IDs of pending entries that no longer exist (Redis 7; dropped from the list).
    public func xautoclaim(
        stream: String, group: String, consumer: String, minIdleMilliseconds: Int, start: String = "0-0",
        count: Int? = nil
    ) async throws -> (nextStart: String, entries: [RedisStreamEntry], deletedIDs: [String]) {
        var command: [RESPArgument] = [
            "XAUTOCLAIM", .string(stream), .string(group), .string(consumer), .integer(minIdleMilliseconds), .string(start),
        ]
        if let count { command += ["COUNT", .integer(count)] }
        let reply = try await send(command)
        guard let parts = reply.array, parts.count >= 2, let nextStart = parts[0].string, let claimed = parts[1].array else {
            throw RedisError.unexpected("XAUTOCLAIM", reply, expected: "[next ID, entries, deleted IDs]")
        }
        // Redis 6.2 lists an entry deleted meanwhile as null; 7 leaves it out and names it in the third part.
        let entries = try claimed.filter { !$0.isNull }.map {
            try RedisStreamReply.entry($0, stream: stream, command: "XAUTOCLAIM")
        }
        let deletedIDs = parts.count > 2 ? (parts[2].array ?? []).compactMap(\.string) : []
        return (nextStart, entries, deletedIDs)
    }

    /// How many entries `group` has delivered and not had acknowledged, and with whom.
    public func xpending(stream: String, group: String) async throws -> RedisStreamPendingSummary {
        let reply = try await send(["XPENDING", .string(stream), .string(group)])
        guard let parts = reply.array, parts.count == 4, case .integer(let count) = parts[0] else {
            throw RedisError.unexpected("XPENDING", reply, expected: "[count, smallest ID, greatest ID, consumers]")
        }
        var countByConsumer: [String: Int] = [:]
        for consumer in parts[3].array ?? [] {
            guard let pair = consumer.array, pair.count == 2, let name = pair[0].string, let pending = pair[1].int else {
                throw RedisError.unexpected("XPENDING", reply, expected: "consumers as [name, count]")
            }
            countByConsumer[name] = pending
        }
        return RedisStreamPendingSummary(
            count: count, smallestID: parts[1].string, greatestID: parts[2].string, countByConsumer: countByConsumer)
    }
}

/// Reads stream replies, which RESP2 and RESP3 shape differently: RESP3 answers `XREAD` with a
/// map from stream to entries, RESP2 with an array of [stream, entries] pairs.
enum RedisStreamReply {
    static func entriesByStream(_ reply: RESPValue, command: String) throws -> [RedisStreamEntry] {
        if reply.isNull { return [] }
        let streams: [RESPValue.Pair]
        switch reply {
        case .map(let pairs):
            streams = pairs
        case .array(let elements):
            streams = try elements.map { element in
                guard let pair = element.array, pair.count == 2 else {
                    throw RedisError.unexpected(command, reply, expected: "[stream, entries] pairs")
                }
                return RESPValue.Pair(key: pair[0], value: pair[1])
            }
        default:
            throw RedisError.unexpected(command, reply, expected: "streams with their entries, or null")
        }
        var entries: [RedisStreamEntry] = []
        for stream in streams {
            guard let name = stream.key.string, let streamEntries = stream.value.array else {
                throw RedisError.unexpected(command, reply, expected: "a stream name with its entries")
            }
            for entry in streamEntries { entries.append(try self.entry(entry, stream: name, command: command)) }
        }
        return entries
    }

    /// One `[id, [field, value, ...]]`; the fields are null for an entry deleted after delivery.
    static func entry(_ value: RESPValue, stream: String, command: String) throws -> RedisStreamEntry {
        guard let parts = value.array, parts.count == 2, let id = parts[0].string else {
            throw RedisError.unexpected(command, value, expected: "an entry as [id, fields]")
        }
        if parts[1].isNull { return (stream: stream, id: id, fields: []) }
        guard let pairs = parts[1].pairs else {
            throw RedisError.unexpected(command, value, expected: "fields as [name, value, ...]")
        }
        var fields: [(String, [UInt8])] = []
        fields.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let name = pair.key.string, let bytes = pair.value.bytes else {
                throw RedisError.unexpected(command, value, expected: "string field names and values")
            }
            fields.append((name, bytes))
        }
        return (stream: stream, id: id, fields: fields)
    }
}
