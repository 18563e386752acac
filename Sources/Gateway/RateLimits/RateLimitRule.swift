import ERPKernel

/// One rate limit of the gateway, from configuration: `SCOPE[:PATH]=LIMIT/WINDOW`, e.g.
/// `user=600/1m` (each user 600 requests a minute), `key=6000/1m` (each API key),
/// `address=120/1m` (each client address, for calls without a credential),
/// `address:/api/v1/auth/login=10/1m` (the same, on paths under the prefix only).
public struct RateLimitRule: Sendable, Equatable, CustomStringConvertible {
    /// Whose requests a rule counts.
    public enum Scope: String, Sendable, CaseIterable {
        /// A user with a valid access token.
        case user
        /// An API key.
        case key
        /// A client address, for requests that carry no credential.
        case address
    }

    public let scope: Scope
    /// Only requests under this path count; nil: every forwarded request.
    public let pathPrefix: String?
    public let limit: Int
    public let window: Duration
    /// The policy's name in the `RateLimit` headers.
    public let name: String
    /// Made once: each forwarded request names its rules in the store's keys.
    public let description: String

    public init(scope: Scope, pathPrefix: String? = nil, limit: Int, window: Duration) {
        self.scope = scope
        self.pathPrefix = pathPrefix
        self.limit = limit
        self.window = window
        name = pathPrefix.map { "\(scope.rawValue)-\($0.split(separator: "/").last ?? "")" } ?? scope.rawValue
        description = "\(scope.rawValue)\(pathPrefix.map { ":\($0)" } ?? "")=\(limit)/\(Self.format(window))"
    }

    /// - Throws: `RateLimitRuleError` saying what is wrong with `text`.
    public init(parsing text: String) throws {
        let sides = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard sides.count == 2 else { throw RateLimitRuleError("\(text): expected SCOPE[:PATH]=LIMIT/WINDOW") }
        let target = sides[0].split(separator: ":", maxSplits: 1).map(String.init)
        guard let scope = Scope(rawValue: target[0]) else {
            throw RateLimitRuleError("\(text): the scope must be one of \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let path = target.count == 2 ? target[1] : nil
        if let path, !path.hasPrefix("/") || path.count > 200 { throw RateLimitRuleError("\(text): the path must start with / (at most 200 characters)") }
        let rate = sides[1].split(separator: "/", maxSplits: 1).map(String.init)
        guard rate.count == 2, let limit = Int(rate[0]), (1...1_000_000).contains(limit) else {
            throw RateLimitRuleError("\(text): the limit must be a number of requests from 1 to 1,000,000")
        }
        guard let window = Self.window(rate[1]) else {
            throw RateLimitRuleError("\(text): the window must be a duration from 1s to 24h such as 30s, 1m or 1h")
        }
        self.init(scope: scope, pathPrefix: path, limit: limit, window: window)
    }

    /// Whether a request to `path` counts against this rule.
    func covers(_ path: String) -> Bool {
        guard let pathPrefix else { return true }
        return path.isPath(under: pathPrefix)
    }

    private static func window(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Int)] = [("s", 1), ("m", 60), ("h", 3_600)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let count = Int(text.dropLast(unit.suffix.count)), count > 0, count * unit.seconds <= 86_400 else { return nil }
            return .seconds(count * unit.seconds)
        }
        return nil
    }

    private static func format(_ window: Duration) -> String {
        let seconds = window.components.seconds
        return seconds % 3_600 == 0 ? "\(seconds / 3_600)h" : seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s"
    }
}

public struct RateLimitRuleError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
