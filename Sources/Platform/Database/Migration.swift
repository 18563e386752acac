import Foundation

/// One step of a database's schema history. Applied once, in order, each in its own transaction;
/// never edited after release (the checksum catches an edit).
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        precondition(version >= 1, "versions start at 1")
        self.version = version
        self.name = name
        self.statements = statements
    }

    var checksum: String { statements.joined(separator: ";\n").stableHash }
}

/// The ordered migrations of one track. Several services share a database file; each keeps its
/// own track in it, named after the service (plus the `platform` track for outbox and inbox).
public struct MigrationTrack: Sendable {
    public let name: String
    public let migrations: [Migration]

    public init(name: String, migrations: [Migration]) {
        precondition(
            migrations.enumerated().allSatisfy { $0.offset + 1 == $0.element.version },
            "migration versions of \(name) must be 1, 2, 3, … without gaps")
        self.name = name
        self.migrations = migrations
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }
}

extension String {
    /// FNV-1a 64, hex: a stable fingerprint for detecting an edited migration, not a security hash.
    var stableHash: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}
