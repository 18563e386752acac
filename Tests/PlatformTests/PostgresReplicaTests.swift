import ERPTesting
import Foundation
@testable import Platform
import PostgresNIO
import Testing

private let testReplica = ProcessInfo.processInfo.environment["NEUROERP_TEST_REPLICA"].flatMap { $0.isEmpty ? nil : $0 }

/// Reads on a streaming replica (`scripts/postgres replica up`, named by `NEUROERP_TEST_REPLICA`
/// as `replica=HOST:PORT`): they are served there, yet see the writes made before them.
@Suite(.serialized, .enabled(if: testReplica != nil && TestDatabase.postgresURL != nil))
struct PostgresReplicaTests {
    static let replica = testReplica

    private func open(_ parameters: String) async throws -> Platform.PostgresDatabase {
        let url = try #require(TestDatabase.postgresURL(isolatedBy: UUID().uuidString)) + "&" + parameters
        return try await Platform.PostgresDatabase.open(name: "replicated", location: try PostgresLocation(url: url, schema: "replicated"), logger: TestDatabase.logger)
    }

    private static func standbyAndCount(_ database: Platform.PostgresDatabase) async throws -> (standby: Bool, count: Int) {
        try await database.read { reader in
            let row = try reader.query("SELECT pg_is_in_recovery() AS standby, COUNT(*) AS n FROM t").first
            return (row?["standby"].integer == 1, row?["n"].integer ?? -1)
        }
    }

    @Test func readsAreServedByTheReplicaAndSeeEveryWriteBeforeThem() async throws {
        let database = try await open("\(Self.replica!)&replica_wait_ms=5000")
        try await database.write { try $0.execute("CREATE TABLE t (v BIGINT)") }
        for v in 1...100 {
            try await database.write { try $0.execute("INSERT INTO t (v) VALUES (?)", [.integer(v)]) }
            let (standby, count) = try await Self.standbyAndCount(database)
            #expect(standby, "read \(v) went to the primary")
            #expect(count == v, "read \(v) missed a write")
        }
        await database.close()
    }

    @Test func aReplicaThatLagsLeavesTheReadToThePrimary() async throws {
        let database = try await open("\(Self.replica!)&replica_wait_ms=100")
        try await database.write { try $0.execute("CREATE TABLE t (v BIGINT)") }
        #expect(try await Self.standbyAndCount(database) == (true, 0))
        let url = try #require(TestDatabase.postgresURL)
        let primary = try PostgresLocation(url: url + (url.contains("?") ? "&" : "?") + Self.replica!, schema: "public")
        let address = try #require(primary.replicas.first)
        let replica = try await PostgresConnection.connect(
            configuration: .init(host: address.host, port: address.port, username: primary.username, password: primary.password, database: primary.database, tls: .disable),
            id: 1, logger: TestDatabase.logger)
        try await replica.query("SELECT pg_wal_replay_pause()", logger: TestDatabase.logger)
        do {
            try await database.write { try $0.execute("INSERT INTO t (v) VALUES (1)") }
            let started = ContinuousClock.now
            #expect(try await Self.standbyAndCount(database) == (false, 1))
            #expect(ContinuousClock.now - started < .seconds(2))
        } catch {
            Issue.record(error)
        }
        // Replaying again whatever happened: the other tests read on this replica too.
        try await replica.query("SELECT pg_wal_replay_resume()", logger: TestDatabase.logger)
        #expect(try await Self.standbyAndCount(database) == (true, 1))
        try await replica.close()
        await database.close()
    }

    @Test func aReplicaThatCannotBeReachedLeavesTheReadsToThePrimary() async throws {
        let database = try await open("replica=127.0.0.1:1&connect_timeout=1")
        try await database.write { try $0.execute("CREATE TABLE t (v BIGINT)") }
        try await database.write { try $0.execute("INSERT INTO t (v) VALUES (1)") }
        let started = ContinuousClock.now
        #expect(try await Self.standbyAndCount(database) == (false, 1))
        #expect(try await Self.standbyAndCount(database) == (false, 1))
        #expect(ContinuousClock.now - started < .seconds(3))
        await database.close()
    }
}
