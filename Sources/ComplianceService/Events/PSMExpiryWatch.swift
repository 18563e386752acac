import ERPKernel
import Foundation
import Logging
import ServiceLifecycle

/// Looks at the PSM register every hour and announces approvals that end within 90 days or have
/// ended, each once; the gate refuses sales after the last day on its own, whatever this watch did.
struct PSMExpiryWatch: Service {
    let register: PSMRegister
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let announced = try await register.noteExpiries(today: CivilDate(Date()))
                if announced > 0 { logger.info("PSM approvals near or past expiry announced", metadata: ["psm.announced": .stringConvertible(announced)]) }
            } catch {
                logger.warning("PSM expiry watch failed; it looks again later", metadata: ["error.message": .string("\(error)")])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
