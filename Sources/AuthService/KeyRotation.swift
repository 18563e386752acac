import Logging
import ServiceLifecycle

/// Rotates the signing key when it is older than the configured age, and reloads the keys
/// every minute so a key made by another auth process is picked up.
struct KeyRotation: Service {
    let keys: SigningKeys
    /// `nil`: never rotate on a schedule.
    let maximumAge: Duration?
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                if let maximumAge, try await keys.rotate(ifOlderThan: maximumAge) {
                    logger.notice("signing key rotated", metadata: ["event.action": "signing-key-rotated"])
                } else {
                    keys.reload()
                }
            } catch {
                logger.warning("signing key check failed", metadata: ["error.message": .string("\(error)")])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: SigningKeys.reloadInterval) }
        }
    }
}
