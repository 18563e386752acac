import AsyncHTTPClient
import Foundation
import Synchronization
import Testing

/// PostgreSQL restarted under a load of sales: the process stays up, its pools reconnect, and
/// clients that retry with their Idempotency-Keys find every sale posted exactly once. The test
/// runs a PostgreSQL server of its own (scripts/postgres on a free port), since it restarts it.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["NEUROERP_TEST_DATABASE_URL"] != nil, "needs NEUROERP_TEST_DATABASE_URL"))
struct PostgresRestartTests {
    @Test func aRestartUnderLoadLosesNoAcknowledgedSaleAndPostsEachOnce() async throws {
        let postgres = try PrivatePostgres()
        defer { postgres.remove() }
        let server = try await ServerProcess.start(
            ["--demo", "--bcrypt-cost", "4", "--database-url", try postgres.up() + "?pool_size=4"])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let token = try await login(client, server.baseURL)
            let setup = try await CrashSafetyTests.Setup.create(client, server.baseURL, token: token)
            let total = 240
            let outcome = Outcome()
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in stride(from: worker, to: total, by: 8) {
                            // Once the restart is due, new sales wait for the server to be down: the
                            // writer is fast enough to post the rest before a restart gets under way.
                            while outcome.acknowledged.count >= 60, !outcome.serverStopped {
                                try? await Task.sleep(for: .milliseconds(20))
                            }
                            // A client retries a failed POST with the same key until it is answered.
                            for _ in 0..<120 {
                                let response = try? await send(client, server.baseURL + "/api/v1/transactions", token: token, key: "restart-\(index)", body: setup.sale)
                                if let response, response.status == 201, let id = try? jsonObject(response.body)["id"] as? String {
                                    if outcome.acknowledge(index, id) == 60 {
                                        outcome.restart = Task {
                                            do {
                                                // Also when stopping fails: the sales must not wait for ever.
                                                defer { outcome.serverStopped = true }
                                                try await postgres.stop()
                                            }
                                            try await postgres.start()
                                        }
                                    }
                                    break
                                }
                                outcome.refused(response?.status ?? 0)
                                try? await Task.sleep(for: .milliseconds(250))
                            }
                        }
                    }
                }
            }
            try await outcome.restart?.value
            #expect(outcome.acknowledged.count == total, "every sale is acknowledged in the end")
            let errors = server.logLines.filter { $0["log.level"] as? String == "error" }.prefix(5).map { "\($0)" }
            #expect(outcome.refusals.keys.allSatisfy { [0, 503].contains($0) }, "while the database is away a write is refused with 503: \(outcome.refusals) \(errors)")
            #expect(outcome.refusals.values.reduce(0, +) > 0, "the restart happened under the load")

            var listed: [String] = []
            var cursor: String?
            repeat {
                let page = try jsonObject(try await call(
                    client, server.baseURL + "/api/v1/transactions?kind=sale&partnerId=\(setup.customer)&limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""),
                    headers: [("Authorization", "Bearer \(token)")]).body)
                listed += (page["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            #expect(listed.count == total, "each sale posted once")
            #expect(Set(listed) == Set(outcome.acknowledged.values))
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        await server.stop()
        postgres.down()
    }

    final class Outcome: Sendable {
        private struct State {
            var acknowledged: [Int: String] = [:]
            var refusals: [Int: Int] = [:]
            var restart: Task<Void, any Error>?
            var serverStopped = false
        }

        private let state = Mutex(State())

        func acknowledge(_ index: Int, _ id: String) -> Int { state.withLock { $0.acknowledged[index] = id; return $0.acknowledged.count } }
        func refused(_ status: Int) { state.withLock { $0.refusals[status, default: 0] += 1 } }
        var acknowledged: [Int: String] { state.withLock { $0.acknowledged } }
        var refusals: [Int: Int] { state.withLock { $0.refusals } }
        var restart: Task<Void, any Error>? {
            get { state.withLock { $0.restart } }
            set { state.withLock { $0.restart = newValue } }
        }
        var serverStopped: Bool {
            get { state.withLock { $0.serverStopped } }
            set { state.withLock { $0.serverStopped = newValue } }
        }
    }
}

/// A PostgreSQL server of the test's own, started and stopped with scripts/postgres.
struct PrivatePostgres: Sendable {
    let port: Int
    let directory: String

    init() throws {
        port = try LoopbackPort.free()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-pg-\(UUID().uuidString.prefix(8))").path
    }

    /// Starts it (creating the cluster the first time) and returns its URL.
    func up() throws -> String {
        // The URL is the script's last line.
        String(try script("up").split(separator: "\n").last ?? "")
    }

    func down() {
        _ = try? script("down")
    }

    /// A fast shutdown (open connections are cut), on a thread of its own: the script blocks
    /// while it runs.
    func stop() async throws {
        try await onItsOwnThread { _ = try script("down") }
    }

    func start() async throws {
        try await onItsOwnThread { _ = try up() }
    }

    private func onItsOwnThread(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async { done.resume(with: Result { try work() }) }
        }
    }

    func remove() {
        down()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs the script to its end. `system` rather than `Process`: Foundation's `waitUntilExit`
    /// missed the end of this short script and waited for ever.
    private func script(_ command: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let output = directory + "-\(command).out"
        let status = system("NEUROERP_PG_PORT=\(port) NEUROERP_PG_DIR='\(directory)' '\(root.path)/scripts/postgres' \(command) >'\(output)' 2>&1")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else {
            Issue.record("scripts/postgres \(command) failed: \(text)")
            throw ServerProcess.StartFailed()
        }
        return text
    }
}
