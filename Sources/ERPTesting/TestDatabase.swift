import Foundation
import Logging
import Platform

/// A real SQLite database in a fresh temporary directory, with the platform tables applied.
public enum TestDatabase {
    /// Logs warnings and worse only, so test output stays readable.
    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// - Parameter synchronous: `.normal` by default: most tests need no disk syncs.
    public static func make(
        name: String = "test", readers: Int = 2, synchronous: SQLiteDatabase.Synchronous = .normal
    ) async throws -> (any SQLDatabase, directory: URL) {
        let directory = try temporaryDirectory()
        let database = try await SQLiteDatabase.open(
            name: name, path: directory.appendingPathComponent("\(name).sqlite").path, readerCount: readers,
            synchronous: synchronous, logger: logger)
        try await Migrator(database: database, logger: logger).apply(PlatformMigrations.track(for: database.dialect))
        return (database, directory)
    }

    public static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
