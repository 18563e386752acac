import ERPTesting
import Foundation
@testable import Platform
import Synchronization
import Testing

/// Writes that share a group commit share its `WriteGroup`: a number one write takes is the
/// next one's starting point, a write that fails gives its number back, and the group writes
/// the last number once, before it commits. On both backends.
@Suite struct WriteGroupTests {
    /// A gapless counter kept in the group and written at its end, as the ledger keeps its
    /// entry numbers.
    struct Counter: GroupState {
        var last: Int?
        var changed = false

        func writeDeferred(on executor: any SQLExecutor) throws {
            guard changed, let last else { return }
            try executor.execute("UPDATE counter SET n = ?", [.integer(last)])
        }
    }

    struct Refused: Error {}

    final class Taken: Sendable {
        let numbers = Mutex<[Int]>([])
    }

    /// Takes the next number: from the group when an earlier write of it took one, otherwise
    /// from the table.
    static func take(in tx: any SQLExecutor) throws -> Int {
        let group = try #require(tx.writeGroup, "a write runs in a group")
        let known = group.state(Counter.self).last
        let last = try known ?? tx.query("SELECT n FROM counter").first?["n"].integer ?? 0
        return group.update(Counter.self) { counter in
            counter.last = last + 1
            counter.changed = true
            return last + 1
        }
    }

    @Test func writesOfAGroupTakeGaplessNumbersAndAFailedOneGivesItsNumberBack() async throws {
        let (database, _) = try await TestDatabase.make()
        try await database.write { tx in
            try tx.execute("CREATE TABLE counter (n BIGINT NOT NULL)")
            try tx.execute("INSERT INTO counter (n) VALUES (0)")
        }
        let taken = Taken()
        await withTaskGroup(of: Void.self) { tasks in
            for index in 0..<60 {
                tasks.addTask {
                    do {
                        let number = try await database.write { tx in
                            let number = try Self.take(in: tx)
                            if index % 5 == 0 { throw Refused() }
                            return number
                        }
                        taken.numbers.withLock { $0.append(number) }
                    } catch {
                        #expect(error is Refused)
                    }
                }
            }
        }
        #expect(taken.numbers.withLock { $0.sorted() } == Array(1...48), "48 writes succeeded, numbered 1 to 48 without a gap")
        let stored = try await database.read { try $0.query("SELECT n FROM counter").first?["n"].integer }
        #expect(stored == 48, "the group wrote its last number before it committed")
        await database.close()
    }

    @Test func aReadHasNoWriteGroup() async throws {
        let (database, _) = try await TestDatabase.make()
        let inRead = try await database.read { $0.writeGroup == nil }
        #expect(inRead)
        await database.close()
    }
}
