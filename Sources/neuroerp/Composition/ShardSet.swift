import ERPKernel
import Logging
import Platform

/// The sharded service databases of a process: each home database with the shards beside it,
/// opened and migrated. A shard holds the platform tables and the sharded services' tables
/// only; the home database keeps every table it had, and the directory.
enum ShardSet {
    static func open(
        _ configuration: ServeConfiguration, hosted: [ServiceName], homes: [DatabaseName: any SQLDatabase], logger: Logger
    ) async throws -> [DatabaseName: ShardedDatabase] {
        var opened: [DatabaseName: ShardedDatabase] = [:]
        do {
            for (name, locations) in configuration.shards.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let services = hosted.filter { $0.isTenantSharded && $0.database == name }
                guard !services.isEmpty, let home = homes[name] else { continue }
                var shards: [any SQLDatabase] = [home]
                do {
                    for location in locations {
                        shards.append(try await PostgresDatabase.open(name: name.rawValue, location: location, logger: logger))
                    }
                    for (index, shard) in shards.enumerated() {
                        let migrator = Migrator(database: shard, logger: logger)
                        if index > 0 {
                            try await migrator.apply(PlatformMigrations.track(for: .postgresql))
                            for service in services { try await migrator.apply(ServiceFactory.moduleTypes[service]!.migrations(for: .postgresql)) }
                        }
                        try await migrator.apply(ShardMigrations.track)
                    }
                } catch {
                    for shard in shards.dropFirst() { await shard.close() }
                    throw error
                }
                let database = ShardedDatabase(shards: shards, logger: logger)
                opened[name] = database
                try await database.directory.verifyShardCount()
            }
        } catch {
            for database in opened.values { await database.close() }
            throw error
        }
        return opened
    }
}
