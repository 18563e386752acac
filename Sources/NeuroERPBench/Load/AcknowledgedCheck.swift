import Foundation

/// `neuroerp-bench load verify`: asks the server for every sale a load run saw acknowledged
/// (201) and counts those it no longer knows or that are not posted: writes a crash lost.
enum AcknowledgedCheck {
    static func run(_ options: LoadOptions) async throws {
        let plan = try LoadPlan.read(try options.text("plan"))
        let ids = try String(contentsOfFile: try options.text("acknowledged"), encoding: .utf8).split(separator: "\n").map(String.init)
        let api = JSONAPI(host: plan.host, port: plan.port, token: plan.tokens[0])
        let outcomes = try await api.each("verified", ids, width: 8) { connection, id -> String in
            let (status, body) = try await api.send(connection, .GET, "/api/v1/transactions/\(id)")
            switch status {
            case 404: return "missing"
            case 200:
                let transaction = try JSONSerialization.jsonObject(with: body) as? [String: Any]
                return transaction?["status"] as? String == "posted" ? "posted" : "notPosted"
            default: throw BenchFailure("GET /api/v1/transactions/\(id) answered \(status)")
            }
        }
        let counts = Dictionary(grouping: outcomes, by: { $0 }).mapValues(\.count)
        let result: [String: Any] = [
            "acknowledged": ids.count, "posted": counts["posted"] ?? 0, "missing": counts["missing"] ?? 0, "notPosted": counts["notPosted"] ?? 0,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }
}
