import ERPTesting
import Foundation
@testable import Platform
import Testing

/// The PostgreSQL writer sends INSERT, UPDATE and DELETE statements together, as one code block
/// with their values written in. These tests hold it to what sending each alone would do; they
/// run on both backends (SQLite sends each alone, and must agree).
@Suite struct HeldWriteTests {
    static let awkwardTexts = [
        "O'Brien", "back\\slash", "'); DROP TABLE t; --", "$w$ DO $$ END $w$", "'\u{301} quote with an accent",
        "Grüße, Öl & Saatgut 🌾", "", "line\nbreak\ttab", "?", "E'\\x00'",
    ]

    @Test func valuesComeBackExactlyAsWritten() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try $0.execute("CREATE TABLE t (n INTEGER, i BIGINT, f DOUBLE PRECISION, s TEXT, b BYTEA)") }
        let integers = [0, 1, -1, Int.max, Int.min]
        let floats = [0.1, -2.5e-300, 1e300, 3.0]
        try await database.write { tx in
            for (n, text) in Self.awkwardTexts.enumerated() {
                try tx.execute(
                    "INSERT INTO t (n, i, f, s, b) VALUES (?, ?, ?, ?, ?)",
                    [.integer(n), .integer(integers[n % integers.count]), .float(floats[n % floats.count]), .text(text),
                     n == 0 ? .null : .blob(Data([0, UInt8(n), 0xff, 0x27, 0x5c]))])
            }
        }
        let rows = try await database.read { try $0.query("SELECT n, i, f, s, b FROM t ORDER BY n") }
        #expect(rows.map { $0["s"].string } == Self.awkwardTexts)
        for row in rows {
            let n = try #require(row["n"].integer)
            #expect(row["i"].integer == integers[n % integers.count])
            #expect(row["f"].double == floats[n % floats.count])
            #expect(row["b"].blob == (n == 0 ? nil : Data([0, UInt8(n), 0xff, 0x27, 0x5c])))
        }
        await database.close()
    }

    @Test func aWriteSeesItsOwnEarlierStatementsAndCountsItsLastOne() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
        let (seen, updated, deleted) = try await database.write { tx in
            for v in 1...3 { try tx.execute("INSERT INTO t (v) VALUES (?)", [.integer(v)]) }
            let answers = try tx.queries([SQLStatement("SELECT COUNT(*) AS n FROM t"), SQLStatement("SELECT MAX(v) AS m FROM t WHERE v < ?", [.integer(3)])])
            #expect(answers.map { $0.first?.column("n")?.integer ?? $0.first?.column("m")?.integer } == [3, 2])
            try tx.execute("UPDATE t SET v = v * 10 WHERE v > ?", [.integer(1)])
            let updated = try tx.changes()
            try tx.execute("DELETE FROM t WHERE v = ?", [.integer(30)])
            let deleted = try tx.changes()
            let seen = try tx.query("SELECT v FROM t ORDER BY v").compactMap { $0["v"].integer }
            return (seen, updated, deleted)
        }
        #expect(seen == [1, 20])
        #expect(updated == 2)
        #expect(deleted == 1)
        await database.close()
    }

    /// A write that holds back as many writes as the executor keeps still counts its last one.
    @Test func theLastOfManyHeldBackWritesIsCounted() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
        let updated = try await database.write { tx in
            for v in 1..<PostgresExecutor.maximumHeldWrites { try tx.execute("INSERT INTO t (v) VALUES (?)", [.integer(v)]) }
            try tx.execute("UPDATE t SET v = v + 1000 WHERE v <= ?", [.integer(3)])
            return try tx.changes()
        }
        #expect(updated == 3)
        await database.close()
    }

    /// Writes queued together share a commit: a held-back statement that fails must fail its own
    /// write only, never the one after it, and leave nothing of it behind; so must a write whose
    /// body gives up after a statement that would have failed.
    @Test func aFailingWriteInAGroupFailsAloneWithTheServersReason() async throws {
        enum Outcome: Equatable { case committed, uniqueViolation, refused }
        struct Refused: Error {}
        let (database, _) = try await TestDatabase.make()
        try await database.write { try $0.execute("CREATE TABLE t (k TEXT PRIMARY KEY, w INTEGER)") }
        try await database.write { try $0.execute("INSERT INTO t (k, w) VALUES ('taken', 0)") }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for w in 1...40 {
                group.addTask {
                    do {
                        try await database.write { tx in
                            try tx.execute("INSERT INTO t (k, w) VALUES (?, ?)", [.text("own-\(w)"), .integer(w)])
                            let clashes = w % 5 == 0 || w % 7 == 0
                            try tx.execute("INSERT INTO t (k, w) VALUES (?, ?)", [.text(clashes ? "taken" : "also-\(w)"), .integer(w)])
                            if w % 7 == 0 { throw Refused() }
                        }
                        return (w, .committed)
                    } catch let failure as any SQLFailure where failure.isUniqueViolation {
                        return (w, .uniqueViolation)
                    } catch is Refused {
                        return (w, .refused)
                    }
                }
            }
            return try await group.reduce(into: [Int: Outcome]()) { $0[$1.0] = $1.1 }
        }
        func writes(_ outcome: Outcome) -> [Int] { outcomes.filter { $0.value == outcome }.keys.sorted() }
        // SQLite runs each statement at once, so a write that refuses finds the clash first.
        let refusedKind: Outcome = database.dialect == .sqlite ? .uniqueViolation : .refused
        #expect(writes(.committed) == (1...40).filter { $0 % 5 != 0 && $0 % 7 != 0 })
        #expect(writes(.refused) == (refusedKind == .refused ? (1...40).filter { $0 % 7 == 0 } : []))
        #expect(writes(.uniqueViolation) == (1...40).filter { $0 % 5 == 0 || (refusedKind == .uniqueViolation && $0 % 7 == 0) }.filter { refusedKind == .uniqueViolation || $0 % 7 != 0 })
        let written = try await database.read { try $0.query("SELECT DISTINCT w FROM t WHERE w > 0 ORDER BY w").compactMap { $0["w"].integer } }
        #expect(written == (1...40).filter { $0 % 5 != 0 && $0 % 7 != 0 })
        await database.close()
    }

    /// From its second time on, the PostgreSQL writer sends a run of INSERTs of one shape as one
    /// prepared statement (`CombinedWrite`): rows of one table keep their order, an upsert adds
    /// up, values come back as written, and a clash fails its own write with the server's reason.
    @Test func writesOfOneShapeRepeatedAgreeWithWritesSentOneByOne() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { tx in
            let sequence = database.dialect == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
            try tx.execute("CREATE TABLE lines (seq \(sequence), k TEXT UNIQUE, s TEXT, b BYTEA, f DOUBLE PRECISION)")
            try tx.execute("CREATE TABLE totals (name TEXT PRIMARY KEY, amount BIGINT NOT NULL)")
        }
        func write(round: Int, keys: [String]) async throws {
            try await database.write { tx in
                for (n, key) in keys.enumerated() {
                    let text = Self.awkwardTexts[(round + n) % Self.awkwardTexts.count]
                    try tx.execute("INSERT INTO lines (k, s, b, f) VALUES (?, ?, ?, ?)", [.text(key), .text(text), .blob(Data([UInt8(n), 0x27])), .float(Double(n) / 4)])
                }
                // Upserts of two keys join; of one key twice, they must not (one statement cannot update a row twice).
                for name in ["all", round == 3 ? "all" : "round \(round % 2)"] {
                    try tx.execute(
                        "INSERT INTO totals (name, amount) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET amount = totals.amount + excluded.amount",
                        [.text(name), .integer(keys.count)])
                }
            }
        }
        for round in 0..<6 { try await write(round: round, keys: (0..<4).map { "r\(round)-\($0)" }) }
        for (round, clashing) in [(6, "r0-2"), (7, "r1-1")] {
            do {
                try await write(round: round, keys: ["r\(round)-0", clashing, "r\(round)-2"])
                Issue.record("round \(round) wrote a key twice")
            } catch {
                #expect((error as? any SQLFailure)?.isUniqueViolation == true, "\(error)")
            }
        }
        let rows = try await database.read { try $0.query("SELECT k, s, b, f FROM lines ORDER BY seq") }
        #expect(rows.map { $0["k"].string } == (0..<6).flatMap { round in (0..<4).map { "r\(round)-\($0)" } })
        for (index, row) in rows.enumerated() {
            let (round, n) = index.quotientAndRemainder(dividingBy: 4)
            #expect(row["s"].string == Self.awkwardTexts[(round + n) % Self.awkwardTexts.count])
            #expect(row["b"].blob == Data([UInt8(n), 0x27]))
            #expect(row["f"].double == Double(n) / 4)
        }
        let totals = try await database.read { try $0.query("SELECT name, amount FROM totals ORDER BY name") }
        #expect(totals.map { "\($0["name"].string ?? "-")=\($0["amount"].integer ?? 0)" } == ["all=28", "round 0=12", "round 1=8"])
        await database.close()
    }
}
