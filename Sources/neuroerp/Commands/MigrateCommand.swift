import ArgumentParser
import ERPKernel
import Foundation
import Logging
import Platform

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade every service database under the data directory, then exit.",
        discussion: "serve does the same at start; run this to upgrade ahead of a deployment. Prints each track's version.")

    @Option(name: .customLong("data-dir"), help: "Directory of the SQLite files. [env: NEUROERP_DATA_DIR, default: ./data]")
    var dataDirectory: String?

    func run() async throws {
        let directory = dataDirectory ?? ProcessInfo.processInfo.environment["NEUROERP_DATA_DIR"] ?? "./data"
        var logger = Logger(label: "neuroerp.migrate")
        logger.logLevel = .warning
        let databases = try await DatabaseSet.open(
            DatabaseName.allCases, directory: directory, synchronous: .full, readers: 1, logger: logger)
        do {
            for (name, database) in databases.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let migrator = Migrator(database: database, logger: logger)
                for track in ServiceFactory.migrationTracks(in: name) {
                    let version = try await migrator.apply(track)
                    print("\(name.rawValue): \(track.name) at version \(version)")
                }
            }
        } catch {
            for database in databases.values { await database.close() }
            throw error
        }
        for database in databases.values { await database.close() }
    }
}
