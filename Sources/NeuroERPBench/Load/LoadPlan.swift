import Foundation

/// What `neuroerp-bench load seed` made and the load runs use: where the server is, the users'
/// access tokens and the records the office-day requests name. Written as JSON between runs.
struct LoadPlan: Codable, Sendable {
    struct StockedBatch: Codable, Sendable {
        let article: String
        let batch: String
        let location: String
    }

    var host: String
    var port: Int
    /// The posting date of the sales (today) and its fiscal year.
    var date: String
    var fiscalYear: Int
    /// One access token per seeded user; simulated users take them in turn.
    var tokens: [String]
    var customers: [String]
    var stocked: [StockedBatch]
    /// A unique tag of this seed run, so the records new partners and batches name stay unique.
    var tag: String

    static func read(_ path: String) throws -> LoadPlan {
        try JSONDecoder().decode(LoadPlan.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func write(_ path: String) throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// `--name value` options of a load subcommand.
struct LoadOptions {
    private var values: [String: String] = [:]

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let name = rest.popFirst() {
            guard name.hasPrefix("--"), let value = rest.popFirst() else { throw BenchFailure("expected --name value, got \(name)") }
            values[String(name.dropFirst(2))] = value
        }
    }

    func text(_ name: String, default fallback: String? = nil) throws -> String {
        guard let value = values[name] ?? fallback else { throw BenchFailure("--\(name) is missing") }
        return value
    }

    func number(_ name: String, default fallback: Double) throws -> Double {
        guard let text = values[name] else { return fallback }
        guard let value = Double(text), value >= 0 else { throw BenchFailure("--\(name) must be a number >= 0, got \(text)") }
        return value
    }

    func count(_ name: String, default fallback: Int) throws -> Int { Int(try number(name, default: Double(fallback))) }
}
