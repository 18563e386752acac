import Foundation
import Logging
import Platform

/// A real database with the platform tables applied: a SQLite file in a fresh temporary
/// directory, or a fresh schema on PostgreSQL when `NEUROERP_TEST_DATABASE_URL` names a server
/// (the same tests then run on the second backend).
public enum TestDatabase {
    /// The PostgreSQL server the tests run on, `nil` for SQLite.
    public static let postgresURL = ProcessInfo.processInfo.environment["NEUROERP_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// `postgresURL` with a schema prefix of its own: the databases of one process in one test
    /// stay apart from every other test's. The same `seed` gives the same prefix (a restarted server).
    public static func postgresURL(isolatedBy seed: String = UUID().uuidString) -> String? {
        guard let postgresURL else { return nil }
        let prefix = "t" + String(seed.lowercased().filter { $0.isLetter || $0.isNumber }.suffix(16)) + "_"
        return postgresURL + (postgresURL.contains("?") ? "&" : "?") + "pool_size=2&schema_prefix=\(prefix)"
    }

    /// Logs warnings and worse only, so test output stays readable.
    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// A database on the backend the test run is for.
    /// - Parameter synchronous: SQLite's durability, `.normal` by default: most tests need no disk syncs.
    public static func make(
        name: String = "test", readers: Int = 2, synchronous: SQLiteDatabase.Synchronous = .normal
    ) async throws -> (any SQLDatabase, directory: URL) {
        let directory = try temporaryDirectory()
        guard let url = postgresURL(isolatedBy: directory.lastPathComponent) else {
            return try await makeSQLite(name: name, readers: readers, synchronous: synchronous, in: directory)
        }
        let database = try await PostgresDatabase.open(name: name, location: try PostgresLocation(url: url, schema: name), logger: logger)
        try await Migrator(database: database, logger: logger).apply(PlatformMigrations.track(for: database.dialect))
        return (database, directory)
    }

    /// A SQLite database whatever the test run's backend: for tests of SQLite itself (its file,
    /// its durability levels, a second process opening the same file).
    public static func makeSQLite(
        name: String = "test", readers: Int = 2, synchronous: SQLiteDatabase.Synchronous = .normal, in directory: URL? = nil
    ) async throws -> (SQLiteDatabase, directory: URL) {
        let directory = try directory ?? temporaryDirectory()
        let database = try await SQLiteDatabase.open(
            name: name, path: directory.appendingPathComponent("\(name).sqlite").path, readerCount: readers,
            synchronous: synchronous, logger: logger)
        try await Migrator(database: database, logger: logger).apply(PlatformMigrations.track(for: .sqlite))
        return (database, directory)
    }

    /// A second handle on the database `make` returned for `directory`, as another process (or
    /// the same service after a restart) would open it.
    public static func reopen(name: String, directory: URL) async throws -> any SQLDatabase {
        if let url = postgresURL(isolatedBy: directory.lastPathComponent) {
            return try await PostgresDatabase.open(name: name, location: try PostgresLocation(url: url, schema: name), logger: logger)
        }
        return try await SQLiteDatabase.open(
            name: name, path: directory.appendingPathComponent("\(name).sqlite").path, synchronous: .normal, logger: logger)
    }

    public static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
