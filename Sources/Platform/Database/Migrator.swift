import Foundation
import Logging

/// Applies migration tracks to a database and reports their versions.
public struct Migrator: Sendable {
    public let database: any SQLDatabase
    private let logger: Logger

    public init(database: any SQLDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// A migration in the database differs from the code, or the database is newer than the code.
    public struct MigrationError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Brings `track` up to its latest version. Safe to call on every start.
    /// - Returns: the version now applied.
    /// - Throws: `MigrationError` when an applied migration was edited or the database knows a
    ///   version this binary does not (an older binary must not run on a newer schema).
    @discardableResult
    public func apply(_ track: MigrationTrack) async throws -> Int {
        try await database.write { tx in
            try tx.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    track TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
                    checksum TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (track, version))
                """)
        }
        let applied = try await appliedChecksums(track.name)
        if let newest = applied.keys.max(), newest > track.latestVersion {
            throw MigrationError(
                description: "database \(database.name) has \(track.name) version \(newest), "
                    + "but this binary knows only up to \(track.latestVersion); upgrade the binary")
        }
        for migration in track.migrations {
            if let checksum = applied[migration.version] {
                try check(checksum, against: migration, of: track)
                continue
            }
            let appliedNow = try await database.write { tx -> Bool in
                // Asked again under the write lock: another process on the same file may have
                // applied it since the look above (BEGIN IMMEDIATE serialises processes too).
                let rows = try tx.query(
                    "SELECT checksum FROM schema_migrations WHERE track = ? AND version = ?",
                    [.text(track.name), .integer(migration.version)])
                if let checksum = rows.first?.column("checksum")?.string {
                    try check(checksum, against: migration, of: track)
                    return false
                }
                for statement in migration.statements { try tx.execute(statement) }
                try tx.execute(
                    "INSERT INTO schema_migrations (track, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)",
                    [.text(track.name), .integer(migration.version), .text(migration.name),
                     .text(migration.checksum), .text(RFC3339.string(from: Date()))])
                return true
            }
            guard appliedNow else { continue }
            logger.info(
                "applied migration",
                metadata: ["db.name": .string(database.name), "migration.track": .string(track.name),
                           "migration.version": .stringConvertible(migration.version)])
        }
        return track.latestVersion
    }

    private func check(_ checksum: String, against migration: Migration, of track: MigrationTrack) throws {
        guard checksum == migration.checksum else {
            throw MigrationError(
                description: "migration \(track.name) \(migration.version) (\(migration.name)) in "
                    + "\(database.name) differs from the one applied; migrations must never be edited")
        }
    }

    /// The highest applied version of a track, 0 when none.
    public func version(of track: String) async throws -> Int {
        try await appliedChecksums(track).keys.max() ?? 0
    }

    private func appliedChecksums(_ track: String) async throws -> [Int: String] {
        let rows = try await database.read { reader in
            try reader.query(
                "SELECT version, checksum FROM schema_migrations WHERE track = ?", [.text(track)])
        }
        var result: [Int: String] = [:]
        for row in rows {
            guard let version = row.column("version")?.integer, let checksum = row.column("checksum")?.string else { continue }
            result[version] = checksum
        }
        return result
    }
}
