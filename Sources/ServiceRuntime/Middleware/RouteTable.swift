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
        let methods = templates.withLock { templates in
            templates.filter { Self.matches($0.segments, segments) }.map(\.method)
        }
        return Array(Set(methods)).sorted()
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
