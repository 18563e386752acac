import ERPKernel

extension ResponseCache {
    /// The change events that make a tenant's cached answers under a path stale: the services
    /// mark these collections as cacheable, and announce every change to them.
    static let invalidatingEvents: [(typePrefix: String, collection: String)] = [
        ("transactions.article.", "/api/v1/articles"),
        ("transactions.warehouse.", "/api/v1/warehouses"),
    ]

    /// Drops what a change elsewhere made stale (another gateway replica took the write, or a
    /// service changed the data itself).
    /// - Parameter name: unique per gateway process, so every replica hears every change.
    public func invalidation(subscriberName name: String) -> EventSubscriber {
        EventSubscriber(name: name, typePrefixes: Self.invalidatingEvents.map(\.typePrefix)) { [self] event in
            for entry in Self.invalidatingEvents where event.type.hasPrefix(entry.typePrefix) {
                invalidate(tenant: event.tenantID, collection: entry.collection)
            }
        }
    }
}
