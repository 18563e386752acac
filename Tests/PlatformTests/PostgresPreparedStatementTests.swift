import ERPTesting
import Foundation
@testable import Platform
import Testing

/// A query the executor sends on its own is prepared on its connection once, by name, and then
/// only bound and run: each call still answers with its own values.
@Suite(.serialized, .enabled(if: TestDatabase.postgresURL != nil))
struct PostgresPreparedStatementTests {
    @Test func aRepeatedQueryIsPreparedOnceOnItsConnectionAndAnswersEachCallWithItsOwnValues() async throws {
        let url = try #require(TestDatabase.postgresURL(isolatedBy: UUID().uuidString)) + "&pool_size=1"
        let database = try await Platform.PostgresDatabase.open(name: "prepared", location: try PostgresLocation(url: url, schema: "prepared"), logger: TestDatabase.logger)
        try await database.write { writer in
            try writer.execute("CREATE TABLE stock (article TEXT PRIMARY KEY, quantity BIGINT)")
            for (article, quantity) in [("Weizen", 40), ("Gerste", 25), ("Raps", 7)] {
                try writer.execute("INSERT INTO stock (article, quantity) VALUES (?, ?)", [.text(article), .integer(quantity)])
            }
        }
        let query = "SELECT quantity FROM stock WHERE article = ?"
        for (article, quantity) in [("Weizen", 40), ("Gerste", 25), ("Raps", 7), ("Weizen", 40), ("Hafer", nil)] {
            let answer = try await database.read { try $0.query(query, [.text(article)]).first?["quantity"].integer }
            #expect(answer == quantity, "\(article)")
        }
        let prepared = try await database.read { reader in
            try reader.query("SELECT statement FROM pg_prepared_statements").compactMap { $0["statement"].string }
        }
        #expect(prepared.filter { $0 == "SELECT quantity FROM stock WHERE article = $1" }.count == 1, "\(prepared)")
        await database.close()
    }

    @Test func readsGoOnAfterAnotherProcessAddsAColumn() async throws {
        let url = try #require(TestDatabase.postgresURL(isolatedBy: UUID().uuidString)) + "&pool_size=1"
        let database = try await Platform.PostgresDatabase.open(name: "prepared", location: try PostgresLocation(url: url, schema: "prepared"), logger: TestDatabase.logger)
        try await database.write { writer in
            try writer.execute("CREATE TABLE stock (article TEXT PRIMARY KEY, quantity BIGINT)")
            try writer.execute("INSERT INTO stock (article, quantity) VALUES ('Weizen', 40)")
        }
        func read() async throws -> (Int?, Int?) {
            try await database.read { reader in
                (try reader.query("SELECT quantity FROM stock WHERE article = ?", [.text("Weizen")]).first?["quantity"].integer,
                 try reader.query("SELECT * FROM stock WHERE article = ?", [.text("Weizen")]).first?["quantity"].integer)
            }
        }
        for _ in 0..<3 { #expect(try await read() == (40, 40)) }
        // What a newer version's migration does; a statement prepared for all columns would now
        // be refused by the server.
        try await database.write { try $0.execute("ALTER TABLE stock ADD COLUMN note TEXT") }
        #expect(try await read() == (40, 40))
        await database.close()
    }
}
