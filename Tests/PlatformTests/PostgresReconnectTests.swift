import ERPTesting
import Foundation
@testable import Platform
import Testing

/// The server ends this database's sessions under load, as a restart does: reads and writes go
/// on over new connections, and every write that was acknowledged is there afterwards.
@Suite(.enabled(if: TestDatabase.postgresURL != nil, "needs NEUROERP_TEST_DATABASE_URL"))
struct PostgresReconnectTests {
    @Test func droppedConnectionsAreReplacedAndNoAcknowledgedWriteIsLost() async throws {
        let (database, directory) = try await TestDatabase.make(name: "reconnect")
        let location = try PostgresLocation(url: try #require(TestDatabase.postgresURL(isolatedBy: directory.lastPathComponent)), schema: "reconnect")
        let (operator_, _) = try await TestDatabase.make(name: "operator")
        try await database.write { try $0.execute("CREATE TABLE t (n BIGINT PRIMARY KEY)") }
        try await database.write { try $0.execute("INSERT INTO t (n) VALUES (0)") }

        let acknowledged = try await withThrowingTaskGroup(of: Int?.self) { group in
            for n in 1...300 {
                group.addTask {
                    if n == 150 {
                        // Ends every session of the database under test, the writer's and the readers'.
                        _ = try await operator_.writeStatement(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?", [.text(location.applicationName)])
                    }
                    do {
                        try await database.write { try $0.execute("INSERT INTO t (n) VALUES (?)", [.integer(n)]) }
                        return n
                    } catch {
                        return nil  // not acknowledged: the caller would ask again
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { if let n = $1 { $0.append(n) } }
        }
        let stored = Set(try await database.read { try $0.query("SELECT n FROM t").compactMap { $0["n"].integer } })
        #expect(acknowledged.allSatisfy(stored.contains), "acknowledged but lost: \(acknowledged.filter { !stored.contains($0) })")
        #expect(acknowledged.count >= 290, "only \(acknowledged.count) of 300 writes went through")

        // And once more after the load: a read and a write on connections the server just ended.
        _ = try await operator_.writeStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?", [.text(location.applicationName)])
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await database.read { try $0.query("SELECT COUNT(*) AS n FROM t").first?["n"].integer } == stored.count)
        try await database.write { try $0.execute("INSERT INTO t (n) VALUES (1000)") }
        await operator_.close()
        await database.close()
    }
}
