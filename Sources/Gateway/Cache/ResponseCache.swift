import ERPKernel
import HTTPTypes
import NIOCore
import Platform
import ServiceRuntime
import Synchronization

/// The gateway's cache of GET answers that a service marked as shareable for a while
/// (`Surrogate-Control: max-age=N`, else `Cache-Control: public, max-age=N` or `s-maxage=N`).
///
/// An answer to a caller is stored under that caller (tenant and subject), so it is never served
/// to anyone else, not even a colleague with other permissions; anonymous answers (the JWKS) are
/// shared. A hit whose `ETag` the client names in `If-None-Match` is a 304 without a body. A
/// successful write through the gateway, or a change event from a service, drops the tenant's
/// entries under the resource's path. Bounded in entries and in the size of one answer.
public final class ResponseCache: Sendable {
    struct Entry: Sendable {
        var headers: HTTPFields
        var body: ByteBuffer
        var storedAt: ContinuousClock.Instant
        var expiresAt: ContinuousClock.Instant
        /// nil: an anonymous answer.
        var tenant: TenantID?
        var path: String
    }

    private let entries = Mutex<[String: Entry]>([:])
    let maximumEntries: Int
    let maximumBodyBytes: Int
    private let lookups: CacheLookups

    /// Only these fields of a service's answer are kept; per-request ones (trace, request ID,
    /// rate-limit fields) are not.
    static let keptFields: [HTTPField.Name] = [.contentType, .eTag, .cacheControl, .lastModified, .contentLanguage]

    /// - Parameters:
    ///   - maximumEntries: answers kept at most (default 10,000); the oldest go first.
    ///   - maximumBodyBytes: larger answers are not kept (default 256 KiB).
    public init(maximumEntries: Int = 10_000, maximumBodyBytes: Int = 256 << 10, metrics: MetricsRegistry) {
        self.maximumEntries = maximumEntries
        self.maximumBodyBytes = maximumBodyBytes
        lookups = CacheLookups(metrics, cache: "gateway", tier: "l1")
    }

    /// The key of a request the cache may answer; nil for other methods, or when the client
    /// asks for a fresh answer (`Cache-Control: no-cache` or `no-store`).
    static func key(method: HTTPRequest.Method, uri: String, headers: HTTPFields, caller: Identity?) -> String? {
        guard method == .get, !headers.contains(.range) else { return nil }
        let directives = CacheDirectives(headers[values: .cacheControl])
        guard !directives.noCache, !directives.noStore else { return nil }
        return (caller.map { "\($0.tenantID)/\($0.subject)" } ?? "-") + " " + uri
    }

    /// The stored answer for `key`, as a response to a request with these headers.
    func answer(_ key: String, requestHeaders: HTTPFields, now: ContinuousClock.Instant = .now) -> ServiceResponse? {
        let entry = entries.withLock { entries -> Entry? in
            guard let entry = entries[key] else { return nil }
            guard entry.expiresAt > now else {
                entries[key] = nil
                return nil
            }
            return entry
        }
        guard let entry else {
            lookups.miss()
            return nil
        }
        lookups.hit()
        var headers = entry.headers
        headers[.age] = String((now - entry.storedAt).components.seconds)
        return Self.conditional(ServiceResponse(status: .ok, headers: headers, body: entry.body), requestHeaders: requestHeaders)
    }

    /// A 304 without a body when the client's `If-None-Match` names the answer's `ETag`; else the answer.
    static func conditional(_ response: ServiceResponse, requestHeaders: HTTPFields) -> ServiceResponse {
        guard response.status == .ok, let etag = response.headers[.eTag], requestHeaders.ifNoneMatchNames(etag) else { return response }
        var headers = response.headers
        headers[.contentType] = nil
        return ServiceResponse(status: .notModified, headers: headers, body: ByteBuffer())
    }

    /// Keeps a 200 answer the service marked as shareable.
    func store(_ response: ServiceResponse, under key: String, caller: Identity?, path: String, now: ContinuousClock.Instant = .now) {
        guard response.status == .ok, response.body.readableBytes <= maximumBodyBytes,
            let lifetime = CacheDirectives.sharedLifetime(of: response.headers)
        else { return }
        var headers = HTTPFields()
        for name in Self.keptFields { if let value = response.headers[name] { headers[name] = value } }
        let entry = Entry(
            headers: headers, body: response.body, storedAt: now, expiresAt: now + .seconds(lifetime), tenant: caller?.tenantID, path: path)
        entries.withLock { entries in
            if entries.count >= maximumEntries, entries[key] == nil {
                entries = entries.filter { $0.value.expiresAt > now }
                if entries.count >= maximumEntries, let oldest = entries.min(by: { $0.value.storedAt < $1.value.storedAt })?.key {
                    entries[oldest] = nil
                }
            }
            entries[key] = entry
        }
    }

    /// Drops the entries under `pathPrefix` of one tenant (nil: of every tenant and the anonymous ones).
    public func invalidate(tenant: TenantID?, pathPrefix: String) {
        entries.withLock { entries in
            entries = entries.filter { _, entry in
                let covered = entry.path == pathPrefix || entry.path.hasPrefix(pathPrefix + "/")
                return !(covered && (tenant == nil || entry.tenant == tenant))
            }
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
