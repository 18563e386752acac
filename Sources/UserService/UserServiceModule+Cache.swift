import ERPKernel
import Foundation
import ServiceRuntime

/// Who a user is and what they may do is asked on every token refresh and profile read, and
/// changes rarely: it is served from the cache port (in-process, or Redis in front when
/// distributed) and dropped when the user changes — at once here, and through the
/// `users.user.*` events for other replicas.
extension UserServiceModule {
    static let cacheLifetimeMilliseconds = 60_000

    static func accessKey(_ user: EntityID) -> String { "users:access:\(user)" }
    static func profileKey(_ tenant: TenantID, _ user: EntityID) -> String { "users:profile:\(tenant):\(user)" }

    /// The encoded answer from the cache, or made, stored and returned.
    func cached(_ key: String, make: () async throws -> Data?) async throws -> Data? {
        if let bytes = await environment.cache.get(key) { return Data(bytes) }
        guard let made = try await make() else { return nil }
        await environment.cache.set(key, value: Array(made), ttlMilliseconds: Self.cacheLifetimeMilliseconds)
        return made
    }

    func forget(_ user: EntityID, tenant: TenantID) async {
        await environment.cache.delete(Self.accessKey(user))
        await environment.cache.delete(Self.profileKey(tenant, user))
    }

    public var subscriptions: [EventSubscriber] {
        [
            EventSubscriber(name: "users.cache-invalidation", typePrefixes: ["users.user."]) { event in
                guard let subject = event.subject.flatMap(EntityID.init), let tenant = event.tenantID else { return }
                await forget(subject, tenant: tenant)
            }
        ]
    }
}
