import ERPTesting
import Foundation
import NIOPosix
@testable import Platform
import PostgresNIO
import Synchronization
import Testing

/// Statements whose connection goes away (a restart) fail within about a second, so the writer,
/// and every write queued behind it, never waits out the answer limit for them.
@Suite(.enabled(if: TestDatabase.postgresURL != nil, "needs NEUROERP_TEST_DATABASE_URL"))
struct PostgresQueuedStatementTests {
    /// postgres-nio never answers a statement handed over as its connection closed.
    @Test func aStatementHandedToAClosedConnectionFailsWithinASecondOrTwo() async throws {
        let location = try PostgresLocation(url: try #require(TestDatabase.postgresURL), schema: "public")
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try location.connectionConfiguration, id: 1, logger: TestDatabase.logger)
        try await connection.close()
        let unanswered = handOver("SELECT 1", to: connection)
        let clock = ContinuousClock()
        let started = clock.now
        let failure = await Task.detached {
            Result { try PostgresExecutor.answer(to: unanswered, on: connection, within: .seconds(30)) }
        }.value
        let waited = clock.now - started
        #expect((try? failure.get()) == nil)
        #expect(waited < .seconds(3), "failed only after \(waited)")
    }

    /// The future of a statement, as the executor hands it over (not awaited).
    private func handOver(_ sql: String, to connection: PostgresConnection) -> EventLoopFuture<PostgresQueryResult> {
        connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
    }

    /// The server ends the writer's session while a statement runs and another waits behind it:
    /// the group runs again on a new connection at once.
    @Test func aWriteWhoseSessionEndsMidwayRunsAgainAtOnce() async throws {
        let (database, directory) = try await TestDatabase.make(name: "queued")
        let location = try PostgresLocation(url: try #require(TestDatabase.postgresURL(isolatedBy: directory.lastPathComponent)), schema: "queued")
        let (operator_, _) = try await TestDatabase.make(name: "operator")
        let ending = Task {
            try await Task.sleep(for: .milliseconds(500))
            _ = try await operator_.writeStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ? AND query LIKE 'SELECT pg_sleep%'",
                [.text(location.applicationName)])
        }
        let attempts = Atomic(0)
        let clock = ContinuousClock()
        let started = clock.now
        let answer = try await database.write { tx in
            let executor = try #require(tx as? PostgresExecutor)
            // Sent together: the sleep runs (the first time), the SELECT waits its turn.
            if attempts.add(1, ordering: .relaxed).newValue == 1 { executor.hold("SELECT pg_sleep(20)") }
            return try executor.query("SELECT 1 AS one", []).first?["one"].integer
        }
        let waited = clock.now - started
        try await ending.value
        #expect(answer == 1)
        #expect(attempts.load(ordering: .relaxed) == 2)
        #expect(waited < .seconds(5), "answered only after \(waited)")
        await operator_.close()
        await database.close()
    }
}
