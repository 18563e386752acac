/// A key-value cache with expiry: in-process in embedded mode, Redis behind an in-process L1
/// when distributed. A cache is never the source of truth: a miss must always be survivable.
public protocol Cache: Sendable {
    func get(_ key: String) async -> [UInt8]?
    func set(_ key: String, value: [UInt8], ttlMilliseconds: Int) async
    func delete(_ key: String) async
}
