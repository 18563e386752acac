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
        try await database.write { try await $0.execute("INSERT INTO articles (id, name) VALUES ('a', 'Weizen')") }
        await database.close()
    }

    @Test func refusesAnEditedMigration() async throws {
        let (database, _) = try await TestDatabase.make()
        let migrator = Migrator(database: database, logger: logger)
        try await migrator.apply(Self.track)
        let edited = MigrationTrack(
            name: "articles",
            migrations: [Migration(version: 1, name: "articles", statements: ["CREATE TABLE articles (id INTEGER)"])])
        await #expect(throws: Migrator.MigrationError.self) { try await migrator.apply(edited) }
        await database.close()
    }

    @Test func refusesADatabaseNewerThanTheBinary() async throws {
        let (database, _) = try await TestDatabase.make()
        let migrator = Migrator(database: database, logger: logger)
        try await migrator.apply(Self.track)
        let older = MigrationTrack(name: "articles", migrations: Array(Self.track.migrations.prefix(1)))
        await #expect(throws: Migrator.MigrationError.self) { try await migrator.apply(older) }
        await database.close()
    }

    @Test func tracksInOneDatabaseAreIndependent() async throws {
        let (database, _) = try await TestDatabase.make()
        let migrator = Migrator(database: database, logger: logger)
        try await migrator.apply(Self.track)
        #expect(try await migrator.version(of: "users") == 0)
        #expect(try await migrator.version(of: "platform") == 1)
        await database.close()
    }
}
