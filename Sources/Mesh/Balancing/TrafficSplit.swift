import HTTPTypes
import ServiceRuntime

/// Which version of a service a request goes to: the first rule that matches the request's
/// header or cookie decides; otherwise the weights do (a canary at weight 5 of 100 gets 5 %).
/// No rule and no weight: any version.
public struct TrafficSplit: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public enum Source: Sendable, Equatable {
            case header(String)
            case cookie(String)
        }

        public var source: Source
        public var value: String
        public var version: String

        public init(source: Source, value: String, version: String) {
            self.source = source
            self.value = value
            self.version = version
        }

        func matches(_ headers: HTTPFields) -> Bool {
            switch source {
            case .header(let name):
                guard let name = HTTPField.Name(name) else { return false }
                return headers[values: name].contains(value)
            case .cookie(let name):
                return headers[values: .cookie].contains { Self.cookie(name, in: $0) == value }
            }
        }

        /// The value of cookie `name` in one `Cookie` header (`a=1; b=2`).
        static func cookie(_ name: String, in header: String) -> String? {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    public var rules: [Rule]
    /// Version and weight; weights are relative, their sum need not be 100.
    public var weights: [(version: String, weight: Int)]

    public init(rules: [Rule] = [], weights: [(version: String, weight: Int)] = []) {
        precondition(weights.allSatisfy { $0.weight >= 0 })
        self.rules = rules
        self.weights = weights
    }

    /// The version for `request`; nil when any will do. `draw` is uniform in 0..<1, drawn only
    /// when weights decide (a draw from the system's generator is a system call).
    func version(for headers: HTTPFields, draw: @autoclosure () -> Double = .random(in: 0..<1)) -> String? {
        if let rule = rules.first(where: { $0.matches(headers) }) { return rule.version }
        let total = weights.reduce(0) { $0 + $1.weight }
        guard total > 0 else { return nil }
        var point = draw() * Double(total)
        for entry in weights {
            point -= Double(entry.weight)
            if point < 0 { return entry.version }
        }
        return weights.last { $0.weight > 0 }?.version
    }

    public static func == (left: TrafficSplit, right: TrafficSplit) -> Bool {
        left.rules == right.rules && left.weights.elementsEqual(right.weights) { $0 == $1 }
    }
}
