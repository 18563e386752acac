import Foundation
import Synchronization

/// The query-plan check of the PostgreSQL test pass: with `NEUROERP_PLAN_REPORT=FILE` set, every
/// distinct statement that reads rows by a condition is explained once, with sequential scans
/// switched off (so the planner takes any index that serves the condition), and each plan that
/// still reads a whole table (a sequential scan, or an index scan without an index condition) is
/// written to FILE as one JSON line. `scripts/check-plans` fails on what it finds there.
///
/// The test tables are small and never analysed, so which of several usable indexes the planner
/// picks says little; that no index serves a condition at all is certain.
enum PlanReport {
    static let path = ProcessInfo.processInfo.environment["NEUROERP_PLAN_REPORT"].flatMap { $0.isEmpty ? nil : $0 }
    private static let explained = Mutex<Set<String>>([])
    /// One line written at a time: writers in several threads would interleave their bytes.
    private static let fileWrites = Mutex<Void>(())

    /// Whether `sql` is to be explained now: the first time it is seen, if it selects rows by a condition.
    static func wants(_ sql: String) -> Bool {
        guard path != nil else { return false }
        let head = sql.drop(while: \.isWhitespace).prefix(6).uppercased()
        guard ["SELECT", "UPDATE", "DELETE"].contains(head), sql.uppercased().contains("WHERE") else { return false }
        return explained.withLock { $0.insert(sql).inserted }
    }

    /// Records the scans of `plan` (EXPLAIN's JSON) that read more than their condition needs.
    static func record(sql: String, plan: String) {
        guard let path, let data = plan.data(using: .utf8),
            let root = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]],
            let top = root.first?["Plan"] as? [String: Any]
        else { return }
        var findings: [String] = []
        collect(top, into: &findings)
        guard !findings.isEmpty else { return }
        let line = (try? JSONSerialization.data(withJSONObject: ["sql": sql, "scans": findings], options: [.sortedKeys])) ?? Data()
        fileWrites.withLock { _ in
            guard let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil)
            else { return }
            handle.seekToEndOfFile()
            handle.write(line + Data("\n".utf8))
            try? handle.close()
        }
    }

    private static func collect(_ node: [String: Any], into findings: inout [String]) {
        let type = node["Node Type"] as? String ?? ""
        let relation = node["Relation Name"] as? String ?? "?"
        if type == "Seq Scan" {
            findings.append("Seq Scan on \(relation)")
        } else if type.hasSuffix("Index Scan") || type == "Index Only Scan", node["Index Cond"] == nil, let filter = node["Filter"] as? String {
            findings.append("\(type) on \(relation) without an index condition, filtered by \(filter)")
        }
        for child in node["Plans"] as? [[String: Any]] ?? [] { collect(child, into: &findings) }
    }
}
