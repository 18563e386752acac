import Foundation
import NIOCore
import Synchronization

/// A response body computed on first use and then served as is, for answers that cannot
/// change while the process runs.
public final class CachedResponseBody: Sendable {
    private let body = Mutex<ByteBuffer?>(nil)

    public init() {}

    /// The cached body, or `make()`'s result, which is kept only if it succeeds.
    public func value(_ make: () async throws -> Data) async throws -> ByteBuffer {
        if let body = body.withLock({ $0 }) { return body }
        let made = ByteBuffer(bytes: try await make())
        body.withLock { $0 = made }
        return made
    }
}
