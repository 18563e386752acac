import Logging
import Platform
import Testing
import ERPTesting

@Suite struct MigratorTests {
    let logger = TestDatabase.logger

    static let track = MigrationTrack(
        name: "articles",
        migrations: [
            Migration(version: 1, name: "articles", statements: ["CREATE TABLE articles (id TEXT PRIMARY KEY)"]),
            Migration(version: 2, name: "article names", statements: ["ALTER TABLE articles ADD COLUMN name TEXT"]),
        ])

    @Test func appliesEachMigrationOnceAndReportsTheVersion() async throws {
        let (database, _) = try await TestDatabase.make()
        let migrator = Migrator(database: database, logger: logger)
        #expect(try await migrator.apply(Self.track) == 2)
        #expect(try await migrator.apply(Self.track) == 2)  // a second start changes nothing
        #expect(try await migrator.version(of: "articles") == 2)
        try await database.write { try $0.execute("INSERT INTO articles (id, name) VALUES ('a', 'Weizen')") }
        await database.close()
    }

    @Test func refusesAnEditedMigration() async throws {
        let (database, _) = try await TestDatabase.make()
        let migrator = Migrator(database: database, logger: logger)
        try await migrator.apply(Self.track)
        let edited = MigrationTrack(
            name: "articles",
            migrations: [
                Migration(version: 1, name: "articles", statements: ["CREATE TABLE articles (id INTEGER)"]),
                Self.track.migrations[1],
            ])
        await #expect { try await migrator.apply(edited) } throws: { "\($0)".contains("differs from the one applied") }
        await database.close()
    }

    @Test func refusesADatabaseNewerThanTheBinary() async throws {
        let (database, _) = try await TestDatabase.make()
        let migrator = Migrator(database: database, logger: logger)
        try await migrator.apply(Self.track)
        let older = MigrationTrack(name: "articles", migrations: Array(Self.track.migrations.prefix(1)))
        await #expect { try await migrator.apply(older) } throws: { "\($0)".contains("upgrade the binary") }
        await database.close()
    }

    @Test func twoProcessesStartingTogetherApplyEachMigrationOnce() async throws {
        let (database, directory) = try await TestDatabase.make(name: "shared")
        let other = try await TestDatabase.reopen(name: "shared", directory: directory)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for connection in [database, other] {
                group.addTask { try await Migrator(database: connection, logger: self.logger).apply(Self.track) }
            }
            for try await version in group { #expect(version == 2) }
        }
        let rows = try await database.read { try $0.query("SELECT COUNT(*) AS n FROM schema_migrations WHERE track = 'articles'") }
        #expect(rows.first?.column("n")?.integer == 2)
        await other.close()
        await database.close()
    }

    @Test func tracksInOneDatabaseAreIndependent() async throws {
        let (database, _) = try await TestDatabase.make()
        let migrator = Migrator(database: database, logger: logger)
        try await migrator.apply(Self.track)
        #expect(try await migrator.version(of: "users") == 0)
        #expect(try await migrator.version(of: "platform") == 2)
        await database.close()
    }
}
