import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing

@Suite(.serialized) struct ShutdownTests {
    /// SIGTERM in the middle of a burst: every request the server accepted is answered in full,
    /// and the process exits cleanly.
    @Test func sigtermDuringABurstCompletesEveryAcceptedRequest() async throws {
        let server = try await ServerProcess.start([])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let tally = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    for _ in 0..<60 {
                        do {
                            let response = try await call(client, server.baseURL + "/api/v1/system/services/audit", timeout: .seconds(15))
                            let complete = response.status == 200 && response.body.hasSuffix("}")
                            if tally.record(complete: complete) == 100 { server.signal(SIGTERM) }
                        } catch {
                            // Expected only once the server stops accepting: refused, or closed before a request was taken.
                            tally.record(error: error)
                            return
                        }
                    }
                }
            }
        }
        let status = try await server.waitForExit()
        try? await client.shutdown()
        let counts = tally.counts
        let served = server.logLines.filter {
            $0["message"] as? String == "request" && $0["url.path"] as? String == "/api/v1/system/services/audit"
        }
        #expect(status == 0)
        #expect(counts.other == 0)
        #expect(tally.unexpectedErrors.isEmpty, "errors other than a refused or closed connection: \(tally.unexpectedErrors)")
        #expect(counts.ok >= 100)
        #expect(served.count == counts.ok, "the server answered \(served.count) requests, the client received \(counts.ok)")
        #expect(server.logLines.contains { $0["message"] as? String == "stopped" })
    }

    /// A killed process loses no committed state: it starts again on the same data directory.
    @Test func aKilledProcessStartsAgainOnItsData() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-kill-\(UUID().uuidString)").path
        let first = try await ServerProcess.start([], dataDirectory: directory)
        first.signal(SIGKILL)
        _ = try await first.waitForExit()
        let second = try await ServerProcess.start([], dataDirectory: directory)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let response = try await call(client, second.baseURL + "/api/v1/system/services")
        #expect(response.status == 200)
        #expect(!second.logLines.contains { $0["message"] as? String == "applied migration" })  // already there
        try? await client.shutdown()
        await second.stop()
    }
}

/// Counts the answers the client received, from many tasks.
final class Tally: Sendable {
    private let state = Mutex((ok: 0, other: 0))
    private let errors = Mutex<[String]>([])

    /// Errors of a request the server never took: refused, or its keep-alive connection closed
    /// by the stopping server before the request was read. (A request the server did take shows
    /// up in its access log, and the test compares that count with the answers received.)
    func record(error: any Error) {
        let text = String(reflecting: error)
        let connectionLevel = ["remoteConnectionClosed", "connectTimeout", "Connection refused", "NIOConnectionError", "connection reset", "I/O on closed channel"]
            .contains { text.localizedCaseInsensitiveContains($0) }
        if !connectionLevel { errors.withLock { $0.append(text) } }
    }

    var unexpectedErrors: [String] { errors.withLock { $0 } }

    /// - Returns: the number of complete answers so far.
    func record(complete: Bool) -> Int {
        state.withLock { counts in
            if complete { counts.ok += 1 } else { counts.other += 1 }
            return counts.ok
        }
    }

    var counts: (ok: Int, other: Int) { state.withLock { $0 } }
}
