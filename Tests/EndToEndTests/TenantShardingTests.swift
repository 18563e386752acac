import AsyncHTTPClient
import Foundation
import Synchronization
import Testing

/// Two server processes on a home database and a second shard; the demo tenant's ledger moves
/// to the other shard while both take sales. Every acknowledged sale is there exactly once
/// afterwards, seen from either process, and the old shard holds none of the tenant's rows.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["NEUROERP_TEST_DATABASE_URL"] != nil, "needs NEUROERP_TEST_DATABASE_URL"))
struct TenantShardingTests {
    @Test func aTenantMovesToAnotherShardUnderLoadWithoutLosingAWrite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-shard-\(UUID().uuidString)").path
        let home = try #require(ServerProcess.postgresURL(dataDirectory: directory))
        let shard = try #require(ServerProcess.postgresURL(dataDirectory: directory + "-second-shard"))
        let databases = ["--database-url", home, "--database-shard", shard]
        let first = try await ServerProcess.start(["--demo", "--bcrypt-cost", "4"] + databases, dataDirectory: directory)
        let second: ServerProcess
        do {
            second = try await ServerProcess.start(["--bcrypt-cost", "4"] + databases)
        } catch {
            await first.stop()
            throw error
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let token = try await login(client, first.baseURL)
            let setup = try await CrashSafetyTests.Setup.create(client, first.baseURL, token: token)
            // The second process learns where the tenant is before the move, so its directory goes stale.
            let warmUp = try await send(client, second.baseURL + "/api/v1/transactions", token: token, key: "warm-up", body: setup.sale)
            #expect(warmUp.status == 201, "\(warmUp.body)")

            let before = try Self.directory(databases)
            #expect(before.count == 1, "the demo tenant alone is in the directory: \(before)")
            let (tenant, source) = try #require(before.first)
            let target = 1 - source
            let held = try Self.rowsOfTenant(tenant, onShardWithURL: source == 0 ? home : shard)

            let sales = Sales()
            let servers = [first.baseURL, second.baseURL]
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var index = worker
                            while !sales.enough {
                                let base = servers[index % 2]
                                for _ in 0..<40 {
                                    let response = try? await send(client, base + "/api/v1/transactions", token: token, key: "sale-\(index)", body: setup.sale)
                                    if let response, response.status == 201, let id = try? jsonObject(response.body)["id"] as? String {
                                        sales.acknowledge(index, id)
                                        break
                                    }
                                    sales.refused(response.map { "\($0.status) \($0.body.prefix(200))" } ?? "no answer")
                                    try? await Task.sleep(for: .milliseconds(100))
                                }
                                index += 4
                            }
                        }
                    }
                }
            }
            try await sales.waitFor(40)
            let moved = try await Task.detached {
                try TenantCommandTests.run(["tenant", "move", "--tenant", tenant, "--to-shard", "\(target)"] + databases)
            }.value
            let acknowledgedByTheMove = sales.count
            try await sales.waitFor(acknowledgedByTheMove + 40)
            sales.stop()
            await load.value

            #expect(moved.status == 0, "\(moved.output)")
            #expect(moved.output.contains("is on shard \(target)"), "\(moved.output)")
            #expect(try Self.directory(databases).map { "\($0.0) \($0.1)" } == ["\(tenant) \(target)"], "the directory names the new shard")
            #expect(sales.refusals.isEmpty, "writes wait for the move instead of failing: \(sales.refusals.prefix(5))")
            let redirected = second.logLines.filter { $0["message"] as? String == "tenant found on another shard after a move" }
            #expect(redirected.first?["shard"] as? String == "\(target)", "the second process's stale directory was corrected by the old shard")

            let acknowledged = Set(sales.acknowledged.values)
            for server in servers {
                let listed = try await Self.saleIDs(client, server, customer: setup.customer, token: token)
                #expect(listed.count == acknowledged.count + 1, "each sale once, from \(server) (with the warm-up sale)")
                #expect(acknowledged.isSubset(of: Set(listed)))
            }
            let left = try Self.rowsOfTenant(tenant, onShardWithURL: source == 0 ? home : shard)
            #expect(left == 0, "the old shard keeps none of the tenant's transactions")
            let there = try Self.rowsOfTenant(tenant, onShardWithURL: target == 0 ? home : shard)
            #expect(there == held + acknowledged.count, "the new shard has what the old one held and every sale since")
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        await first.stop()
        await second.stop()
    }

    /// The directory as `neuroerp tenant shards` prints it.
    static func directory(_ databases: [String]) throws -> [(String, Int)] {
        let listed = try TenantCommandTests.run(["tenant", "shards"] + databases)
        #expect(listed.status == 0, "\(listed.output)")
        return listed.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let shard = Int(fields[1]) else { return nil }
            return (String(fields[0]), shard)
        }
    }

    static func saleIDs(_ client: HTTPClient, _ base: String, customer: String, token: String) async throws -> [String] {
        var listed: [String] = []
        var cursor: String?
        repeat {
            let page = try jsonObject(try await call(
                client, base + "/api/v1/transactions?kind=sale&partnerId=\(customer)&limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""),
                headers: [("Authorization", "Bearer \(token)")]).body)
            listed += (page["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = page["nextCursor"] as? String
        } while cursor != nil
        return listed
    }

    /// Counts the tenant's business transactions in the `main` schema a shard URL names, with psql.
    static func rowsOfTenant(_ tenant: String, onShardWithURL url: String) throws -> Int {
        let server = try #require(ProcessInfo.processInfo.environment["NEUROERP_TEST_DATABASE_URL"])
        let prefix = try #require(url.firstMatch(of: /schema_prefix=([a-z0-9_]+)/)?.1)
        let counted = try TenantCommandTests.run(
            [server, "-Atc", "SELECT count(*) FROM \"\(prefix)main\".transactions WHERE tenant_id = '\(tenant)'"], executable: "/usr/bin/psql")
        return try #require(Int(counted.output.trimmingCharacters(in: .whitespacesAndNewlines)), "psql: \(counted.output)")
    }

    final class Sales: Sendable {
        private struct State {
            var acknowledged: [Int: String] = [:]
            var refusals: [String] = []
            var enough = false
        }

        private let state = Mutex(State())

        func acknowledge(_ index: Int, _ id: String) { state.withLock { $0.acknowledged[index] = id } }
        func refused(_ what: String) { state.withLock { $0.refusals.append(what) } }
        func stop() { state.withLock { $0.enough = true } }
        var enough: Bool { state.withLock { $0.enough } }
        var count: Int { state.withLock { $0.acknowledged.count } }
        var acknowledged: [Int: String] { state.withLock { $0.acknowledged } }
        var refusals: [String] { state.withLock { $0.refusals } }

        func waitFor(_ count: Int, limit: Duration = .seconds(120)) async throws {
            let deadline = ContinuousClock.now + limit
            while self.count < count {
                guard ContinuousClock.now < deadline else {
                    Issue.record("only \(self.count) of \(count) sales acknowledged; refusals: \(refusals.prefix(5))")
                    throw ServerProcess.StartFailed()
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
