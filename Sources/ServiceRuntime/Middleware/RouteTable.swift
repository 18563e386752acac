import Hummingbird
import Synchronization

/// The routes a router serves, known once the router is built; answers which methods a path
/// accepts, for `405 Method Not Allowed` with an `Allow` header.
public final class RouteTable: Sendable {
    private let templates = Mutex<[(segments: [Substring], method: String)]>([])

    public init() {}

    /// Records the router's routes; call after every route is added.
    public func load(_ routes: [(path: String, method: String)]) {
        let parsed = routes.map { (segments: $0.path.split(separator: "/"), method: $0.method) }
        templates.withLock { $0 = parsed }
    }

    public func allowedMethods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matching = templates.withLock { templates in templates.filter { Self.matches($0.segments, segments) } }
        // The router prefers a literal segment over a parameter and does not fall back: at
        // `/transactions/bulk` only the routes of that literal path answer, not `/transactions/{id}`.
        guard let best = matching.map({ Self.specificity($0.segments) }).max(by: { $0.lexicographicallyPrecedes($1) }) else { return [] }
        let methods = matching.filter { Self.specificity($0.segments) == best }.map(\.method)
        return Array(Set(methods)).sorted()
    }

    private static func specificity(_ template: [Substring]) -> [Int] {
        template.map { $0 == "**" || $0 == "*" ? 0 : $0.hasPrefix(":") || $0.hasPrefix("{") ? 1 : 2 }
    }

    private static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        if template.last == "**" { return path.count >= template.count - 1 && zip(template.dropLast(), path).allSatisfy(segmentMatches) }
        return template.count == path.count && zip(template, path).allSatisfy(segmentMatches)
    }

    private static func segmentMatches(_ pair: (Substring, Substring)) -> Bool {
        let (template, segment) = pair
        return template == "*" || template.hasPrefix(":") || template.hasPrefix("{") || template == segment
    }
}
