/// One dependency a process needs before it is ready: a database, the cache, the bus, an upstream.
public struct HealthCheck: Sendable {
    public let name: String
    /// Throws when the dependency is unreachable; the error's text is logged, not returned.
    public let check: @Sendable () async throws -> Void

    public init(name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }
}
