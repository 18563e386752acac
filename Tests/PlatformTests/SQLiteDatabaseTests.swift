import ERPKernel
import Foundation
import Logging
import Platform
import Synchronization
import Testing
import ERPTesting

@Suite struct SQLiteDatabaseTests {
    @Test func aFailedTransactionLeavesNoTrace() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { try $0.execute("CREATE TABLE t (v INTEGER)") }
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await database.write { tx in
                try tx.execute("INSERT INTO t VALUES (1)")
                throw Abort()
            }
        }
        let rows = try await database.read { try $0.query("SELECT COUNT(*) AS n FROM t") }
        #expect(rows.first?.column("n")?.integer == 0)
        await database.close()
    }

    @Test func concurrentWritersNeverLoseAnUpdate() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { tx in
            try tx.execute("CREATE TABLE counter (n INTEGER)")
            try tx.execute("INSERT INTO counter VALUES (0)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await database.write { tx in
                        // Read-modify-write: only correct if transactions never interleave.
                        let n = try tx.query("SELECT n FROM counter").first!.column("n")!.integer!
                        try tx.execute("UPDATE counter SET n = ?", [.integer(n + 1)])
                    }
                }
            }
            try await group.waitForAll()
        }
        let rows = try await database.read { try $0.query("SELECT n FROM counter") }
        #expect(rows.first?.column("n")?.integer == 200)
        await database.close()
    }

    // Under both durability levels: with `.full` the database syncs the WAL itself, beside the writer.
    @Test(arguments: SQLiteDatabase.Synchronous.allCases)
    func committedDataSurvivesReopening(synchronous: SQLiteDatabase.Synchronous) async throws {
        let (database, directory) = try await TestDatabase.makeSQLite(name: "durable", synchronous: synchronous)
        try await database.write { tx in
            try tx.execute("CREATE TABLE t (v TEXT)")
            try tx.execute("INSERT INTO t VALUES ('kept')")
        }
        await database.close()
        let reopened = try await SQLiteDatabase.open(
            name: "durable", path: directory.appendingPathComponent("durable.sqlite").path, logger: TestDatabase.logger)
        let rows = try await reopened.read { try $0.query("SELECT v FROM t") }
        #expect(rows.first?.column("v")?.string == "kept")
        let mode = try await reopened.read { try $0.query("PRAGMA journal_mode") }
        #expect(mode.first?.column("journal_mode")?.string == "wal")
        await reopened.close()
    }

    // Under both durability levels: with `.full` the database syncs the WAL itself, beside the writer.
    @Test(arguments: SQLiteDatabase.Synchronous.allCases)
    func observersHearOfCommittedEventsOnly(synchronous: SQLiteDatabase.Synchronous) async throws {
        let (database, _) = try await TestDatabase.make(synchronous: synchronous)
        let commits = Counter()
        database.afterCommit { commits.increment() }
        let event = EventEnvelope(type: "t.v1", source: "test", payload: Data("{}".utf8))
        try await database.write { try $0.execute("CREATE TABLE t (v INTEGER)") }  // no events: no wake-up
        try await database.write { try Outbox.append([event], in: $0) }
        _ = try? await database.write { tx -> Void in
            try Outbox.append([EventEnvelope(type: "t.v1", source: "test", payload: Data("{}".utf8))], in: tx)
            throw CancellationError()
        }
        #expect(commits.value == 1)
        await database.close()
    }

    // Under both durability levels: with `.full` the database syncs the WAL itself, beside the writer.
    @Test(arguments: SQLiteDatabase.Synchronous.allCases)
    func concurrentSingleStatementsCommitTogetherAndFailAlone(synchronous: SQLiteDatabase.Synchronous) async throws {
        let (database, _) = try await TestDatabase.make(synchronous: synchronous)
        try await database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<300 {
                group.addTask {
                    // Every 50th statement breaks NOT NULL; it must fail without taking others with it.
                    let value: DatabaseValue = n % 50 == 0 ? .null : .text("v\(n)")
                    let rows = try? await database.writeStatement("INSERT INTO t (id, v) VALUES (?, ?) RETURNING id", [.integer(n), value])
                    return (n, rows?.first?.column("id")?.integer == n)
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 300)
        #expect(outcomes.filter { !$0.value }.keys.sorted() == [0, 50, 100, 150, 200, 250])
        let rows = try await database.read { try $0.query("SELECT COUNT(*) AS n FROM t") }
        #expect(rows.first?.column("n")?.integer == 294)
        await database.close()
    }

    // Under both durability levels: with `.full` the database syncs the WAL itself, beside the writer.
    @Test(arguments: SQLiteDatabase.Synchronous.allCases)
    func aFailingWriteInAGroupUndoesAllItsStatementsAndOnlyThose(synchronous: SQLiteDatabase.Synchronous) async throws {
        let (database, _) = try await TestDatabase.make(synchronous: synchronous)
        try await database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") }
        struct Abort: Error {}
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<200 {
                group.addTask {
                    // Two rows per write; every 20th write fails after its first row.
                    let written: Void? = try? await database.write { tx in
                        try tx.execute("INSERT INTO t (id, v) VALUES (?, 'a')", [.integer(2 * n)])
                        if n % 20 == 0 { throw Abort() }
                        try tx.execute("INSERT INTO t (id, v) VALUES (?, 'b')", [.integer(2 * n + 1)])
                    }
                    return (n, written != nil)
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter { !$0.value }.keys.sorted() == Array(stride(from: 0, to: 200, by: 20)))
        let ids = try await database.read { try $0.query("SELECT id FROM t ORDER BY id").compactMap { $0.column("id")?.integer } }
        let expected = (0..<200).filter { $0 % 20 != 0 }.flatMap { [2 * $0, 2 * $0 + 1] }
        #expect(ids == expected)
        await database.close()
    }

    @Test(arguments: SQLiteDatabase.Synchronous.allCases)
    func closingCommitsAndAnswersTheWritesAlreadyQueued(synchronous: SQLiteDatabase.Synchronous) async throws {
        let (database, directory) = try await TestDatabase.makeSQLite(name: "closing", synchronous: synchronous)
        try await database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)") }
        let answered = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<100 {
                group.addTask { (try? await database.writeStatement("INSERT INTO t (id) VALUES (?)", [.integer(n)])) != nil }
            }
            group.addTask {
                await database.close()
                return false
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        // Whatever was answered is stored; the rest was refused, none is left hanging.
        let reopened = try await SQLiteDatabase.open(
            name: "closing", path: directory.appendingPathComponent("closing.sqlite").path, logger: TestDatabase.logger)
        let rows = try await reopened.read { try $0.query("SELECT COUNT(*) AS n FROM t") }
        #expect(rows.first?.column("n")?.integer == answered)
        await reopened.close()
    }

    @Test func aClosedDatabaseRefusesReadsAndWritesInsteadOfHanging() async throws {
        let (database, _) = try await TestDatabase.make()
        await database.close()
        await #expect(throws: DatabaseClosedError.self) { try await database.read { try $0.query("SELECT 1") } }
        await #expect(throws: DatabaseClosedError.self) { try await database.writeStatement("SELECT 1") }
    }

    @Test func readersCannotWrite() async throws {
        let (database, _) = try await TestDatabase.make()
        await #expect(throws: (any Error).self) {
            try await database.read { try $0.execute("CREATE TABLE sneaky (v INTEGER)") }
        }
        let catalog = database.dialect == .sqlite
            ? "SELECT name FROM sqlite_master WHERE name = 'sneaky'" : "SELECT tablename FROM pg_tables WHERE tablename = 'sneaky'"
        let tables = try await database.read { try $0.query(catalog) }
        #expect(tables.isEmpty)
        await database.close()
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
