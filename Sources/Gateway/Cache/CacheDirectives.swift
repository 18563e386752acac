import HTTPTypes
import ServiceRuntime

/// The directives of a `Cache-Control` or `Surrogate-Control` field that a shared cache acts on.
struct CacheDirectives: Equatable {
    var maxAgeSeconds: Int?
    var sharedMaxAgeSeconds: Int?
    var noStore = false
    var noCache = false
    var isPrivate = false

    init(_ values: [String]) {
        for directive in values.flatMap({ $0.split(separator: ",") }) {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            switch parts[0] {
            case "max-age": maxAgeSeconds = parts.count == 2 ? Int(parts[1].trimmingCharacters(in: ["\""])) : nil
            case "s-maxage": sharedMaxAgeSeconds = parts.count == 2 ? Int(parts[1].trimmingCharacters(in: ["\""])) : nil
            case "no-store": noStore = true
            case "no-cache": noCache = true
            case "private": isPrivate = true
            default: break
            }
        }
    }

    /// How long a shared cache may keep the response a service sent with these headers; nil: not at all.
    static func sharedLifetime(of headers: HTTPFields) -> Int? {
        let surrogate = headers[values: .surrogateControl]
        if !surrogate.isEmpty {
            let directives = CacheDirectives(surrogate)
            return directives.noStore ? nil : directives.maxAgeSeconds.flatMap { $0 > 0 ? $0 : nil }
        }
        let directives = CacheDirectives(headers[values: .cacheControl])
        guard !directives.noStore, !directives.noCache, !directives.isPrivate else { return nil }
        return (directives.sharedMaxAgeSeconds ?? directives.maxAgeSeconds).flatMap { $0 > 0 ? $0 : nil }
    }
}
