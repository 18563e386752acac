import Crypto
import Foundation

/// Checks an exported trail offline (`neuroerp audit verify --file`): the same judgement as the
/// server's, over the file's lines.
public enum ExportVerifier {
    public struct Unreadable: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// - Parameter pinnedKey: the base64 public key the checkpoints must be signed with; without
    ///   it the key in the file's header is used, which only proves the file is consistent with itself.
    public static func verify(file: URL, pinnedKey: String? = nil) throws -> ChainReport {
        var header: [String: Any]?
        var checkpoints: [AuditCheckpoint] = []
        // First pass: the header and the checkpoints, which the chain walk needs up front.
        try forEachLine(of: file) { number, object in
            switch object["type"] as? String {
            case "header": if header == nil { header = object }
            case "checkpoint": checkpoints.append(try checkpoint(object, line: number, tenant: header?["tenant"] as? String ?? ""))
            case "record": break
            default: throw Unreadable(line: number, reason: "type is not header, record or checkpoint")
            }
        }
        guard let header, header["format"] as? String == AuditExport.format, let tenant = header["tenant"] as? String else {
            throw Unreadable(line: 1, reason: "the file does not start with a \(AuditExport.format) header")
        }
        let keyText = pinnedKey ?? header["publicKey"] as? String
        let key = keyText.flatMap(AuditExport.publicKey)
        if keyText != nil, key == nil { throw Unreadable(line: 1, reason: "the public key is not a base64 Ed25519 key") }
        var verifier = ChainVerifier(tenant: tenant, publicKey: key, checkpoints: checkpoints)
        try forEachLine(of: file) { number, object in
            if object["type"] as? String == "record" { verifier.add(try record(object, line: number, tenant: tenant)) }
        }
        return verifier.finish()
    }

    private static func record(_ object: [String: Any], line: Int, tenant: String) throws -> AuditRecord {
        func text(_ key: String) throws -> String {
            guard let value = object[key] as? String else { throw Unreadable(line: line, reason: "\(key) is missing or not text") }
            return value
        }
        guard let seq = object["seq"] as? Int else { throw Unreadable(line: line, reason: "seq is missing or not a whole number") }
        return AuditRecord(
            seq: seq, tenant: tenant, eventId: try text("eventId"), occurredAt: try text("occurredAt"), actor: try text("actor"),
            action: try text("action"), resourceType: try text("resourceType"), resourceId: object["resourceId"] as? String,
            changes: try text("changes"), correlationId: object["correlationId"] as? String, source: try text("source"),
            prevHash: try text("prevHash"), hash: try text("hash"))
    }

    private static func checkpoint(_ object: [String: Any], line: Int, tenant: String) throws -> AuditCheckpoint {
        guard let seq = object["seq"] as? Int, let hash = object["hash"] as? String, let signedAt = object["signedAt"] as? String,
              let keyId = object["keyId"] as? String, let signature = object["signature"] as? String
        else { throw Unreadable(line: line, reason: "a checkpoint needs seq, hash, signedAt, keyId and signature") }
        return AuditCheckpoint(tenant: tenant, seq: seq, hash: hash, signedAt: signedAt, keyId: keyId, signature: signature)
    }

    /// Reads the file a megabyte at a time and hands each non-empty line over as a JSON object.
    private static func forEachLine(of file: URL, _ body: (Int, [String: Any]) throws -> Void) throws {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var carry = Data()
        var number = 0
        func emit(_ line: Data) throws {
            number += 1
            guard !line.isEmpty else { return }
            guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
                throw Unreadable(line: number, reason: "not a JSON object")
            }
            try body(number, object)
        }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            carry.append(chunk)
            var start = carry.startIndex
            while let newline = carry[start...].firstIndex(of: UInt8(ascii: "\n")) {
                try emit(carry[start..<newline])
                start = carry.index(after: newline)
            }
            carry = Data(carry[start...])
        }
        if !carry.isEmpty { try emit(carry) }
    }
}
