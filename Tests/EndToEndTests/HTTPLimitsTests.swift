import AsyncHTTPClient
import Foundation
import Testing

/// What the server refuses before any handler sees it.
@Suite struct HTTPLimitsTests {
    @Test func aHeaderOverTheLimitIsRefusedAndTheServerAnswersTheNextCaller() async throws {
        let server = try await ServerProcess.start(["--services", "users"])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let refused = try await call(client, server.baseURL + "/health/live", headers: [("X-Padding", String(repeating: "a", count: 20_000))])
            #expect(refused.status == 400, "a 20 KB header field is over the 8 KB limit")
            #expect(try await call(client, server.baseURL + "/health/live", headers: [("X-Padding", String(repeating: "a", count: 4_000))]).status == 200)
        } catch {
            Issue.record(error)
        }
        try? await client.shutdown()
        await server.stop()
    }
}
