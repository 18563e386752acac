import Crypto
import Foundation
import Synchronization

/// Checks an exported trail offline (`neuroerp audit verify --file`): the same judgement as the
/// server's, over the file's lines.
public enum ExportVerifier {
    public struct Unreadable: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Parses and hashes the lines of each block read together, on every core, before the chain
    /// walk takes them in order.
    static let blockBytes = 4 << 20

    /// - Parameter pinnedKey: the base64 public key the checkpoints must be signed with; without
    ///   it the key in the file's header is used, which only proves the file is consistent with itself.
    public static func verify(file: URL, pinnedKey: String? = nil) throws -> ChainReport {
        var verifier: ChainVerifier?
        var tenant = ""
        var parsedBefore: [Item] = []
        func walk(_ items: [Item]) {
            for item in items {
                switch item {
                case .record(let link, let holds): verifier!.add(link, contentHolds: holds)
                case .checkpoint(let checkpoint): verifier!.add(checkpoint)
                }
            }
        }
        try forEachBlock(of: file) { block, lines in
            var lines = lines[...]
            if verifier == nil, let (number, range) = lines.popFirst() {
                guard let object = JSONMembers(block[range]), object.string("type") == "header",
                      object.string("format") == AuditExport.format, let named = object.string("tenant")
                else { throw Unreadable(line: number, reason: "the file does not start with a \(AuditExport.format) header") }
                let keyText = pinnedKey ?? object.string("publicKey")
                let key = keyText.flatMap(AuditExport.publicKey)
                if keyText != nil, key == nil { throw Unreadable(line: number, reason: "the public key is not a base64 Ed25519 key") }
                tenant = named
                verifier = ChainVerifier(tenant: named, publicKey: key, checkpoints: [])
            }
            // This block is parsed on other threads while this one walks the block before it.
            let parsed = Mutex<Result<[Item], Unreadable>?>(nil)
            let done = DispatchGroup()
            let (candidates, owner) = (Array(lines), tenant)
            DispatchQueue.global().async(group: done) {
                let result = Result { () throws(Unreadable) in try parse(candidates, of: block, tenant: owner) }
                parsed.withLock { $0 = result }
            }
            walk(parsedBefore)
            done.wait()
            parsedBefore = try parsed.withLock { $0! }.get()
        }
        guard verifier != nil else { throw Unreadable(line: 1, reason: "the file is empty") }
        walk(parsedBefore)
        return verifier!.finish()
    }

    enum Item: Sendable {
        case record(ChainLink, contentHolds: Bool)
        case checkpoint(AuditCheckpoint)
    }

    /// Parses the lines and checks each record's hash, a share of the lines per core.
    private static func parse(_ lines: [(number: Int, range: Range<Int>)], of block: [UInt8], tenant: String) throws(Unreadable) -> [Item] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 256))
        var results = [Result<Item, Unreadable>?](repeating: nil, count: lines.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer  // each worker writes only its own indices
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var scratch = Scratch()
                for index in stride(from: worker, to: lines.count, by: workers) {
                    do throws(Unreadable) {
                        output[index] = .success(try item(block[lines[index].range], number: lines[index].number, tenant: tenant, &scratch))
                    } catch {
                        output[index] = .failure(error)
                    }
                }
            }
        }
        var items: [Item] = []
        items.reserveCapacity(results.count)
        for result in results { items.append(try result!.get()) }
        return items
    }

    /// Buffers a worker reuses for every line it hashes.
    struct Scratch {
        var canonical: [UInt8] = []
        var field: [UInt8] = []
    }

    private static func item(_ line: ArraySlice<UInt8>, number: Int, tenant: String, _ scratch: inout Scratch) throws(Unreadable) -> Item {
        guard let object = JSONMembers(line) else { throw Unreadable(line: number, reason: "not a JSON object") }
        switch object.string("type") {
        case "record": return try record(object, line: number, tenant: tenant, &scratch)
        case "checkpoint": return .checkpoint(try checkpoint(object, line: number, tenant: tenant))
        default: throw Unreadable(line: number, reason: "type is not record or checkpoint")
        }
    }

    /// A record line's link, and whether its content matches its hash: the canonical form is
    /// laid out straight from the line's bytes (as `AuditRecord.canonicalForm` lays out the
    /// fields), without a string made of each field.
    private static func record(_ object: JSONMembers, line: Int, tenant: String, _ scratch: inout Scratch) throws(Unreadable) -> Item {
        func text(_ key: String) throws(Unreadable) -> String {
            guard let value = object.string(key) else { throw Unreadable(line: line, reason: "\(key) is missing or not text") }
            return value
        }
        guard let seq = object.integer("seq") else { throw Unreadable(line: line, reason: "seq is missing or not a whole number") }
        let link = ChainLink(seq: seq, eventId: try text("eventId"), prevHash: try text("prevHash"), hash: try text("hash"))
        scratch.canonical.removeAll(keepingCapacity: true)
        AuditRecord.appendField(tenant.utf8, to: &scratch.canonical)
        for field in AuditRecord.canonicalFields {
            guard let raw = object.raw(field.name), !(field.optional && raw.elementsEqual("null".utf8)) else {
                guard field.optional else { throw Unreadable(line: line, reason: "\(field.name) is missing or not text") }
                AuditRecord.appendField(String?.none?.utf8, to: &scratch.canonical)
                continue
            }
            scratch.field.removeAll(keepingCapacity: true)
            guard raw.withUnsafeBufferPointer({ JSONMembers.unescape($0, into: &scratch.field) }) else {
                throw Unreadable(line: line, reason: "\(field.name) is missing or not text")
            }
            AuditRecord.appendField(scratch.field, to: &scratch.canonical)
        }
        return .record(link, contentHolds: AuditRecord.hash(prev: link.prevHash, canonical: scratch.canonical) == link.hash)
    }

    private static func checkpoint(_ object: JSONMembers, line: Int, tenant: String) throws(Unreadable) -> AuditCheckpoint {
        guard let seq = object.integer("seq"), let hash = object.string("hash"), let signedAt = object.string("signedAt"),
              let keyId = object.string("keyId"), let signature = object.string("signature")
        else { throw Unreadable(line: line, reason: "a checkpoint needs seq, hash, signedAt, keyId and signature") }
        return AuditCheckpoint(tenant: tenant, seq: seq, hash: hash, signedAt: signedAt, keyId: keyId, signature: signature)
    }

    /// Reads the file in blocks and hands over each block with its complete, non-empty lines
    /// (their numbers and ranges); a line cut by the block's end starts the next block.
    private static func forEachBlock(of file: URL, _ body: ([UInt8], [(number: Int, range: Range<Int>)]) throws -> Void) throws {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var block: [UInt8] = []
        var number = 0
        var atEnd = false
        while !atEnd {
            let chunk = try handle.read(upToCount: blockBytes) ?? Data()
            atEnd = chunk.isEmpty
            block += chunk
            var lines: [(number: Int, range: Range<Int>)] = []
            var start = 0
            block.withUnsafeBufferPointer { bytes in
                while start < bytes.count {
                    guard let found = memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), bytes.count - start) else {
                        if atEnd {
                            number += 1
                            lines.append((number, start..<bytes.count))
                            start = bytes.count
                        }
                        return
                    }
                    let end = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    number += 1
                    if end > start { lines.append((number, start..<end)) }
                    start = end + 1
                }
            }
            try body(block, lines)
            block.removeSubrange(..<start)
        }
    }
}
