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
/// entries under the resource's path. Bounded in entries, in the size of one answer and in all
/// answers' bytes.
public final class ResponseCache: Sendable {
    private let stored = Mutex(CacheStorage())
    let maximumEntries: Int
    let maximumBodyBytes: Int
    let maximumTotalBytes: Int
    private let lookups: CacheLookups

    /// Only these fields of a service's answer are kept; per-request ones (trace, request ID,
    /// rate-limit fields) are not.
    static let keptFields: [HTTPField.Name] = [.contentType, .eTag, .cacheControl, .lastModified, .contentLanguage]

    /// - Parameters:
    ///   - maximumEntries: answers kept at most (default 10,000); the oldest go first.
    ///   - maximumBodyBytes: larger answers are not kept (default 256 KiB).
    ///   - maximumTotalBytes: the bodies kept together at most (default 64 MiB).
    public init(maximumEntries: Int = 10_000, maximumBodyBytes: Int = 256 << 10, maximumTotalBytes: Int = 64 << 20, metrics: MetricsRegistry) {
        self.maximumEntries = maximumEntries
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumTotalBytes = maximumTotalBytes
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
        // A miss is counted when its answer is stored: a route whose answers are never cacheable
        // is no miss of the cache.
        guard let entry = stored.withLock({ $0.entry(key, now: now) }) else { return nil }
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

    /// Keeps a 200 answer the service marked as shareable, in the bucket of its caller's tenant
    /// and of the collection `path` belongs to.
    func store(_ response: ServiceResponse, under key: String, caller: Identity?, path: String, now: ContinuousClock.Instant = .now) {
        guard response.status == .ok, response.body.readableBytes <= maximumBodyBytes,
            let lifetime = CacheDirectives.sharedLifetime(of: response.headers)
        else { return }
        lookups.miss()
        var headers = HTTPFields()
        for name in Self.keptFields { if let value = response.headers[name] { headers[name] = value } }
        let entry = CacheStorage.Entry(
            headers: headers, body: response.body, storedAt: now, expiresAt: now + .seconds(lifetime),
            bucket: .init(tenant: caller?.tenantID, collection: Self.collection(of: path)))
        stored.withLock { $0.insert(entry, under: key, maximumEntries: maximumEntries, maximumBytes: maximumTotalBytes) }
    }

    /// Drops one tenant's entries of a collection such as `/api/v1/articles` (nil: every tenant's
    /// and the anonymous ones).
    public func invalidate(tenant: TenantID?, collection: String) {
        stored.withLock { $0.removeAll(tenant: tenant, collection: collection) }
    }

    /// The collection a path belongs to: `/api/v1/articles/0190…` → `/api/v1/articles`.
    static func collection(of path: String) -> String {
        "/" + path.split(separator: "/").prefix(3).joined(separator: "/")
    }
}
