@testable import Platform
import Foundation
import Testing

@Suite struct PostgresLocationTests {
    @Test func readsEveryPartOfTheURL() throws {
        let location = try PostgresLocation(
            url: "postgres://erp%40x:s%2Fcret@db.local:6543/neuroerp?pool_size=12&connect_timeout=3&schema_prefix=acme_", schema: "audit")
        #expect(location.host == "db.local")
        #expect(location.port == 6543)
        #expect(location.username == "erp@x")
        #expect(location.password == "s/cret")
        #expect(location.database == "neuroerp")
        #expect(location.schema == "acme_audit")
        #expect(location.poolSize == 12)
        #expect(location.connectTimeoutSeconds == 3)
        #expect(!location.redacted.contains("s/cret"))
        #expect(location.replicas.isEmpty)
    }

    @Test func readsTheReplicasAndTheWaits() throws {
        let location = try PostgresLocation(
            url: "postgres://u@primary/db?replica=r1:5433,r2:5434&replica_wait_ms=50&statement_timeout=30", schema: "main")
        #expect(location.replicas == [ServerAddress(host: "r1", port: 5433), ServerAddress(host: "r2", port: 5434)])
        #expect(location.replicaWaitMilliseconds == 50)
        #expect(location.statementTimeoutSeconds == 30)
        #expect(location.onReplica(1).host == "r2" && location.onReplica(1).port == 5434 && location.onReplica(1).schema == "main")
    }

    @Test(arguments: [
        ("mysql://u@h/db", "postgres://"),
        ("postgres://h/db", "no user name"),
        ("postgres://u@h/", "names no database"),
        ("postgres://u@h/db?pool_size=0", "pool_size"),
        ("postgres://u@h/db?poolsize=3", "poolsize is unknown"),
        ("postgres://u@h/db?schema_prefix=Drop;", "schema name"),
        ("postgres://u@h/db?replica=r1", "replica must be HOST:PORT"),
        ("postgres://u@h/db?replica_wait_ms=-1", "replica_wait_ms"),
        ("postgres://u@h/db?statement_timeout=0", "statement_timeout"),
    ])
    func refusesAURLWithAClearReason(url: String, reason: String) {
        #expect {
            _ = try PostgresLocation(url: url, schema: "main")
        } throws: { error in
            "\(error)".contains(reason)
        }
    }
}

@Suite struct PlaceholderTests {
    @Test func numbersEachQuestionMarkOutsideQuotesAndComments() {
        let sql = "SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?) -- why?\nAND c = ?"
        #expect(Placeholders.numbered(sql) == "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3) -- why?\nAND c = $4")
    }

    @Test func leavesAStatementWithoutBindsAlone() {
        #expect(Placeholders.numbered("SELECT 1") == "SELECT 1")
    }
}

@Suite struct InlinedValueTests {
    @Test func writesValuesInAsLiteralsTheServerCannotMisread() {
        let inlined = Placeholders.inlined(
            "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
            [.text("O'Brien \\ '); DROP TABLE t; --"), .integer(Int.min), .null, .float(.infinity), .blob(Data([0, 0xab]))])
        #expect(inlined == #"INSERT INTO t VALUES (E'O''Brien \\ ''); DROP TABLE t; --', '-9223372036854775808'::int8, NULL, 'Infinity'::float8, E'\\x00ab'::bytea)"#)
        // A quote followed by a combining accent is one Character in Swift, but still a quote on the wire.
        #expect(Placeholders.inlined("SELECT ?", [.text("'\u{301}")]) == "SELECT E'''\u{301}'")
    }

    @Test func refusesToInlineWhenMarksAndValuesDoNotPair() {
        #expect(Placeholders.inlined("SELECT ?, ?", [.integer(1)]) == nil)
        #expect(Placeholders.inlined("SELECT ?", [.integer(1), .integer(2)]) == nil)
    }

    @Test func aWriteBlockIsQuotedByATagItsBodyDoesNotContain() {
        let block = WriteBlock.sql(["INSERT INTO t VALUES (E'$w$')", "DELETE FROM t"])
        let tag = String(block.dropFirst(3).prefix { $0 != "B" })
        #expect(tag.hasPrefix("$w") && tag.hasSuffix("$") && tag != "$w$")
        #expect(block.hasSuffix(tag))
        #expect(block.components(separatedBy: tag).count == 3)  // opens and closes the body, never inside it
    }
}
