import Logging
import ServiceLifecycle

/// Signs a checkpoint over every tenant's newest records once a minute, so that a quiet trail
/// is sealed too, not only every thousandth record; and once more on the way down.
struct CheckpointSealer: Service {
    let ledger: AuditLedger
    let logger: Logger
    var interval: Duration = .seconds(60)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            do {
                try await ledger.sealAll()
            } catch {
                logger.warning("sealing the audit trail failed; it is tried again", metadata: ["error.message": .string("\(error)")])
            }
        }
    }
}
