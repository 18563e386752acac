import ERPKernel
import Foundation
import Logging
import Platform

/// Opens the service databases of a process, one SQLite file each under the data directory.
enum DatabaseSet {
    static func open(
        _ names: [DatabaseName], directory: String, synchronous: SQLiteDatabase.Synchronous, readers: Int, logger: Logger
    ) async throws -> [DatabaseName: any SQLDatabase] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var opened: [DatabaseName: any SQLDatabase] = [:]
        do {
            for name in names {
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
