import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// bcrypt off the request path: hashing takes a quarter second at cost 12, so it runs on the
/// blocking thread pool instead of an event loop or the concurrency pool.
///
/// bcrypt reads at most 72 bytes, so it is given the base64 of the password's SHA-256 (44
/// bytes): every character of a long passphrase counts.
struct PasswordHasher: Sendable {
    let cost: UInt8
    /// A hash of nothing anyone knows, checked when the e-mail is unknown so that an unknown
    /// e-mail costs the same time as a wrong password (no account enumeration by timing).
    private let decoy: DecoyHash

    init(cost: UInt8) {
        self.cost = cost
        self.decoy = DecoyHash(cost: cost)
    }

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        let digest = Self.digest(password)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(digest, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        let digest = Self.digest(password)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(digest, hash: hash) }
    }

    static func digest(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    /// Spends the time of one verification and answers `false`.
    func verifyAgainstDecoy(_ password: String) async throws -> Bool {
        let hash = try await decoy.value(hasher: self)
        _ = try await verify(password, hash: hash)
        return false
    }

    final class DecoyHash: Sendable {
        private let cost: UInt8
        private let hash = Mutex<String?>(nil)
        init(cost: UInt8) { self.cost = cost }

        func value(hasher: PasswordHasher) async throws -> String {
            if let hash = hash.withLock({ $0 }) { return hash }
            let made = try await hasher.hash("decoy-\(UInt64.random(in: 0 ... .max))")
            hash.withLock { $0 = made }
            return made
        }
    }
}
