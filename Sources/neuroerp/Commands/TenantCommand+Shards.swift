import ArgumentParser
import ERPKernel
import Foundation
import Logging
import Platform

extension TenantCommand {
    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a tenant's ledger and stock to another database shard, while the servers run.",
            discussion: """
                Writes of the tenant wait while its rows are copied (reads go on), then continue on the \
                new shard; nothing written is lost. A move that was cut off is finished by running it again. \
                Give the same --database-url and --database-shard as the servers.
                """)

        @Option(help: "The tenant's ID.") var tenant: String
        @Option(name: .customLong("to-shard"), help: "The shard to move to: 0 is the --database-url database, 1 the first --database-shard, …")
        var target: Int
        @Option(name: .customLong("database-url"), help: ServeCommand.help(.databaseURLs)) var databaseURLs: [String] = []
        @Option(name: .customLong("database-shard"), help: ServeCommand.help(.databaseShards)) var databaseShards: [String] = []

        func run() async throws {
            guard let tenant = TenantID(tenant) else { throw ValidationError("--tenant: \(tenant) is not a tenant ID") }
            try await TenantCommand.withShardedTransactions(databaseURLs: databaseURLs, databaseShards: databaseShards) { database in
                let started = ContinuousClock.now
                let rows = try await TenantMove(
                    database: database, tenant: tenant, target: target, sources: [ServiceName.transactions.rawValue],
                    progress: { print($0) }
                ).run()
                print("moved \(rows) rows in \(ContinuousClock.now - started)")
            }
        }
    }

    struct Shards: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenants the shard directory names, with their shard.")

        @Option(name: .customLong("database-url"), help: ServeCommand.help(.databaseURLs)) var databaseURLs: [String] = []
        @Option(name: .customLong("database-shard"), help: ServeCommand.help(.databaseShards)) var databaseShards: [String] = []

        func run() async throws {
            try await TenantCommand.withShardedTransactions(databaseURLs: databaseURLs, databaseShards: databaseShards) { database in
                for entry in try await database.directory.entries() { print("\(entry.tenant)\t\(entry.shard)") }
            }
        }
    }

    /// Opens (and migrates) the transactions service's shards as its servers do, runs `body`, closes them.
    static func withShardedTransactions(
        databaseURLs: [String], databaseShards: [String], _ body: (ShardedDatabase) async throws -> Void
    ) async throws {
        var flags = ["services": ServiceName.transactions.rawValue, "logLevel": "warning"]
        flags["databaseUrl"] = databaseURLs.isEmpty ? nil : databaseURLs.joined(separator: ",")
        flags["databaseShards"] = databaseShards.isEmpty ? nil : databaseShards.joined(separator: ",")
        let configuration: ServeConfiguration
        do {
            configuration = try ServeConfiguration(sources: ConfigurationSources(flags: flags, environment: ProcessInfo.processInfo.environment))
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        guard let database = configuration.services.first?.database, configuration.shards[database] != nil else {
            throw ValidationError("Give --database-url and at least one --database-shard (or NEUROERP_DATABASE_URL and NEUROERP_DATABASE_SHARDS).")
        }
        var logger = Logger(label: "neuroerp.tenant")
        // A process of the transactions service alone warns of split mode without Redis: not news here.
        logger.logLevel = .error
        let process = try await ProcessAssembly(configuration: configuration, logger: logger).build()
        do {
            try await body(process.sharded[database]!)
        } catch {
            await process.close()
            throw error
        }
        await process.close()
    }
}
