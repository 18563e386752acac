import ERPKernel
import Foundation
import Logging
import Platform

/// Opens the service databases of a process: a schema on PostgreSQL where one is configured,
/// otherwise one SQLite file each under the data directory.
enum DatabaseSet {
    static func open(
        _ names: [DatabaseName], directory: String, synchronous: SQLiteDatabase.Synchronous, readers: Int,
        postgres: [DatabaseName: PostgresLocation] = [:], logger: Logger
    ) async throws -> [DatabaseName: any SQLDatabase] {
        var opened: [DatabaseName: any SQLDatabase] = [:]
        do {
            for name in names {
                if let location = postgres[name] {
                    opened[name] = try await PostgresDatabase.open(name: name.rawValue, location: location, logger: logger)
                    continue
                }
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                let path = URL(fileURLWithPath: directory).appendingPathComponent("\(name.rawValue).sqlite").path
                // The Audit DB is an append log written by its event consumer (and the rare export or
                // pseudonymisation record): requests hardly wait on its writer, so it takes the
                // writer's pauses that keep its WAL bounded.
                opened[name] = try await SQLiteDatabase.open(
                    name: name.rawValue, path: path, readerCount: readers, synchronous: synchronous,
                    walRestartFrames: name == .audit ? SQLiteDatabase.boundedWALFrames : nil, logger: logger)
            }
        } catch {
            for database in opened.values { await database.close() }
            throw error
        }
        return opened
    }
}
