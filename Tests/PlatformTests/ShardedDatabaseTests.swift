import ERPKernel
import ERPTesting
import Foundation
@testable import Platform
import Testing

/// A database spread over two PostgreSQL shards (two schemas): work goes to the tenant's shard,
/// a move copies every row and leaves none behind, and a process whose directory is stale is
/// put right by the shard it asks.
@Suite(.serialized, .enabled(if: TestDatabase.postgresURL != nil, "needs NEUROERP_TEST_DATABASE_URL"))
struct ShardedDatabaseTests {
    static let goods = MigrationTrack(
        name: "goods",
        migrations: [
            Migration(
                version: 1, name: "articles and their batches",
                statements: [
                    "CREATE TABLE articles (tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tenant_id, id))",
                    // Sorted by name, batches would be copied before the articles they point at.
                    """
                    CREATE TABLE batches (
                        tenant_id TEXT NOT NULL, id TEXT NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (tenant_id, id),
                        FOREIGN KEY (tenant_id, article_id) REFERENCES articles (tenant_id, id))
                    """,
                ])
        ])

    /// Two shards, migrated as `ShardSet` migrates them, and two handles on them (two processes).
    private func open() async throws -> (ShardedDatabase, ShardedDatabase, [any SQLDatabase]) {
        var shards: [any SQLDatabase] = []
        for _ in 0..<2 {
            let url = try #require(TestDatabase.postgresURL(isolatedBy: UUID().uuidString))
            let shard = try await PostgresDatabase.open(name: "main", location: try PostgresLocation(url: url, schema: "main"), logger: TestDatabase.logger)
            let migrator = Migrator(database: shard, logger: TestDatabase.logger)
            for track in [PlatformMigrations.postgresql, Self.goods, ShardMigrations.track] { try await migrator.apply(track) }
            shards.append(shard)
        }
        return (
            ShardedDatabase(shards: shards, moveWait: .seconds(10), logger: TestDatabase.logger),
            ShardedDatabase(shards: shards, moveWait: .seconds(10), logger: TestDatabase.logger), shards
        )
    }

    private func close(_ shards: [any SQLDatabase]) async {
        for shard in shards { await shard.close() }
    }

    private static func count(_ table: String, of tenant: TenantID, on shard: any SQLDatabase) async throws -> Int {
        try await shard.read { try $0.query("SELECT COUNT(*) AS n FROM \(table) WHERE tenant_id = ?", [.text(tenant.description)]).first?["n"].integer ?? -1 }
    }

    private static func addArticle(_ id: String, of tenant: TenantID, to database: ShardedDatabase) async throws {
        try await TenantScope.$current.withValue(tenant) {
            try await database.write { tx in
                try tx.execute("INSERT INTO articles (tenant_id, id, name) VALUES (?, ?, 'Weizen')", [.text(tenant.description), .text(id)])
                try tx.execute("INSERT INTO batches (tenant_id, id, article_id) VALUES (?, ?, ?)", [.text(tenant.description), .text("b-\(id)"), .text(id)])
            }
        }
    }

    private static func articles(of tenant: TenantID, in database: ShardedDatabase) async throws -> Int {
        try await TenantScope.$current.withValue(tenant) {
            try await database.read { try $0.query("SELECT COUNT(*) AS n FROM articles WHERE tenant_id = ?", [.text(tenant.description)]).first?["n"].integer ?? -1 }
        }
    }

    private static func move(_ tenant: TenantID, to target: Int, in database: ShardedDatabase) async throws -> Int {
        try await TenantMove(database: database, tenant: tenant, target: target, sources: ["goods"], progress: { _ in }).run()
    }

    @Test func workThatNamesNoTenantIsRefused() async throws {
        let (database, _, shards) = try await open()
        await #expect(throws: ShardingError.self) { try await database.read { try $0.query("SELECT 1") } }
        await close(shards)
    }

    @Test func tenantsSpreadOverTheShardsAndEachOnesRowsStayOnItsShard() async throws {
        let (database, _, shards) = try await open()
        let tenants = (0..<16).map { _ in TenantID(EntityID.generate()) }
        for tenant in tenants { try await Self.addArticle("a1", of: tenant, to: database) }
        var placed: [Int] = []
        for tenant in tenants {
            let index = try await database.directory.shard(of: tenant)
            placed.append(index)
            #expect(try await Self.count("articles", of: tenant, on: shards[index]) == 1)
            #expect(try await Self.count("articles", of: tenant, on: shards[1 - index]) == 0)
        }
        #expect(Set(placed) == [0, 1], "16 tenants all on one shard: \(placed)")
        await close(shards)
    }

    @Test func aMoveCopiesEveryRowAndTheOldShardKeepsNone() async throws {
        let (database, _, shards) = try await open()
        let tenant = TenantID(EntityID.generate())
        for index in 0..<1_200 { try await Self.addArticle("a\(index)", of: tenant, to: database) }
        let source = try await database.directory.shard(of: tenant)
        let event = EventEnvelope(type: "goods.article.created", source: "goods", tenantID: tenant, subject: "a1", payload: Data("{}".utf8))
        try await TenantScope.$current.withValue(tenant) {
            try await database.write { try Outbox.append([event], in: $0) }
        }
        let copied = try await Self.move(tenant, to: 1 - source, in: database)

        #expect(copied == 2_401, "1,200 articles, as many batches, one event not yet published")
        #expect(try await database.directory.shard(of: tenant) == 1 - source)
        for table in ["articles", "batches", "outbox_events"] {
            #expect(try await Self.count(table, of: tenant, on: shards[source]) == 0, "\(table) left behind")
        }
        #expect(try await Self.count("batches", of: tenant, on: shards[1 - source]) == 1_200)
        #expect(try await Self.count("outbox_events", of: tenant, on: shards[1 - source]) == 1, "the unpublished event moved along, to be published there")
        #expect(try await Self.articles(of: tenant, in: database) == 1_200)
        await close(shards)
    }

    @Test func aProcessWithAStaleDirectoryIsSentToTheNewShard() async throws {
        let (mover, other, shards) = try await open()
        let tenant = TenantID(EntityID.generate())
        try await Self.addArticle("a1", of: tenant, to: other)
        let source = try await other.directory.shard(of: tenant)
        _ = try await Self.move(tenant, to: 1 - source, in: mover)

        // `other` still remembers the old shard; the old shard no longer holds the tenant.
        #expect(try await Self.articles(of: tenant, in: other) == 1)
        try await Self.addArticle("a2", of: tenant, to: other)
        #expect(try await Self.count("articles", of: tenant, on: shards[1 - source]) == 2)
        #expect(try await Self.count("articles", of: tenant, on: shards[source]) == 0)
        await close(shards)
    }

    @Test func aWriteWhileTheTenantMovesWaitsAndLandsOnTheNewShard() async throws {
        let (mover, other, shards) = try await open()
        let tenant = TenantID(EntityID.generate())
        try await Self.addArticle("a1", of: tenant, to: other)
        let source = try await other.directory.shard(of: tenant)
        // The first step of a move, as one cut off after it would leave it.
        _ = try await shards[source].write { try ShardState.fence(tenant, in: $0) }

        let write = Task { try await Self.addArticle("a2", of: tenant, to: other) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await Self.articles(of: tenant, in: other) == 1, "reads go on while the tenant is held")
        #expect(try await Self.count("articles", of: tenant, on: shards[source]) == 1, "the write waits")

        _ = try await Self.move(tenant, to: 1 - source, in: mover)
        try await write.value
        #expect(try await Self.count("articles", of: tenant, on: shards[1 - source]) == 2)
        #expect(try await Self.count("articles", of: tenant, on: shards[source]) == 0)
        await close(shards)
    }
}
