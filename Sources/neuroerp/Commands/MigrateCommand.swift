import ArgumentParser
import ERPKernel
import Foundation
import Logging
import Platform

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade every service database (under the data directory, or on PostgreSQL), then exit.",
        discussion: "serve does the same at start; run this to upgrade ahead of a deployment. Prints each track's version.")

    @Option(name: .customLong("data-dir"), help: ServeCommand.help(.dataDirectory))
    var dataDirectory: String?
    @Option(name: .customLong("database-url"), help: ServeCommand.help(.databaseURLs))
    var databaseURLs: [String] = []
    @Option(name: .customLong("database-shard"), help: ServeCommand.help(.databaseShards))
    var databaseShards: [String] = []
    @Option(name: .customLong("config"), help: "JSON config file, as for serve. [env: NEUROERP_CONFIG]")
    var configFile: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let sources: ConfigurationSources
        do {
            let file = try (configFile ?? environment["NEUROERP_CONFIG"]).map(ConfigurationSources.readFile(at:)) ?? [:]
            var flags: [String: String] = [:]
            flags["dataDir"] = dataDirectory
            flags["databaseUrl"] = databaseURLs.isEmpty ? nil : databaseURLs.joined(separator: ",")
            flags["databaseShards"] = databaseShards.isEmpty ? nil : databaseShards.joined(separator: ",")
            sources = ConfigurationSources(flags: flags, environment: environment, file: file)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let configuration: ServeConfiguration
        do {
            configuration = try ServeConfiguration(sources: sources)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        var logger = Logger(label: "neuroerp.migrate")
        logger.logLevel = .warning
        let databases = try await DatabaseSet.open(
            DatabaseName.allCases, directory: configuration.dataDirectory, synchronous: .full, readers: 1,
            postgres: configuration.postgres, logger: logger)
        var sharded: [DatabaseName: ShardedDatabase] = [:]
        do {
            for (name, database) in databases.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let migrator = Migrator(database: database, logger: logger)
                for track in ServiceFactory.migrationTracks(in: name, dialect: database.dialect) {
                    let version = try await migrator.apply(track)
                    print("\(name.rawValue): \(track.name) at version \(version)")
                }
            }
            sharded = try await ShardSet.open(configuration, hosted: ServiceName.allCases, homes: databases, logger: logger)
            for (name, database) in sharded {
                print("\(name.rawValue): \(database.shards.count) shards at the latest versions")
            }
        } catch {
            for database in sharded.values { await database.close() }
            for database in databases.values { await database.close() }
            throw error
        }
        for database in sharded.values { await database.close() }
        for database in databases.values { await database.close() }
    }
}
