import Foundation
import Logging
import ServiceLifecycle

/// Re-reads the gateway policy file once a second and applies it when its content changed, so
/// a canary's weight or an access rule changes without a restart. A file that no longer parses
/// is logged and ignored: the policy in force stays.
public struct GatewayPolicyWatcher: Service {
    let path: String
    let apply: @Sendable (GatewayPolicy) -> Void
    let logger: Logger
    let interval: Duration
    let loaded: Data

    /// - Parameters:
    ///   - loaded: the content in force, as `load` read it at the start.
    ///   - apply: takes a new policy into use.
    public init(
        path: String, loaded: Data, interval: Duration = .seconds(1), logger: Logger, apply: @escaping @Sendable (GatewayPolicy) -> Void
    ) {
        self.path = path
        self.loaded = loaded
        self.interval = interval
        self.logger = logger
        self.apply = apply
    }

    /// Reads and parses the file; for the start, where a bad policy stops the process.
    /// - Throws: `GatewayPolicyError` naming the file and the fault.
    public static func load(_ path: String) throws -> (policy: GatewayPolicy, content: Data) {
        guard let data = FileManager.default.contents(atPath: path) else { throw GatewayPolicyError("\(path) cannot be read") }
        guard data.count <= 1 << 20 else { throw GatewayPolicyError("\(path) is larger than 1 MiB") }
        do {
            return (try GatewayPolicy(json: data), data)
        } catch let error as GatewayPolicyError {
            throw GatewayPolicyError("\(path): \(error.description)")
        }
    }

    public func run() async throws {
        var applied = loaded
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard let content = FileManager.default.contents(atPath: path), content != applied else { continue }
            applied = content
            do {
                apply(try Self.load(path).policy)
                logger.info("gateway policy reloaded", metadata: ["file.path": .string(path)])
            } catch {
                logger.error("gateway policy not reloaded", metadata: ["file.path": .string(path), "error.message": "\(error)"])
            }
        }
    }
}
