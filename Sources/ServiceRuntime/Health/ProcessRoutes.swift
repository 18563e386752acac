import ERPKernel
import Hummingbird
import Platform

/// The routes every process answers for operators: liveness, readiness and metrics.
public enum ProcessRoutes {
    /// How long one readiness check may take before its dependency counts as down.
    public static let checkTimeout: Duration = .seconds(2)

    public static func add(to router: Router<ServiceContext>, checks: @escaping @Sendable () -> [HealthCheck], metrics: MetricsRegistry) {
        router.get("/health/live") { _, _ in
            try Response.json(["status": "up"])
        }
        router.get("/health/ready") { _, context in
            let failing = await failingChecks(checks(), logger: context)
            guard failing.isEmpty else { throw Problem.dependencyNotReady(failing) }
            return try Response.json(["status": "ready"])
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.scrape())))
        }
    }

    /// Runs every check concurrently with a timeout; returns the names of those that failed.
    public static func failingChecks(_ checks: [HealthCheck], logger context: ServiceContext) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for check in checks {
                group.addTask {
                    do {
                        try await withTimeout(checkTimeout) { try await check.check() }
                        return nil
                    } catch {
                        context.logger.warning(
                            "readiness check failed",
                            metadata: ["health.check": .string(check.name), "error.message": .string("\(error)")])
                        return check.name
                    }
                }
            }
            var failing: [String] = []
            for await name in group { if let name { failing.append(name) } }
            return failing.sorted()
        }
    }
}

/// Thrown by `withTimeout` when the operation did not finish in time.
public struct TimeoutError: Error, CustomStringConvertible {
    public var description: String { "timed out" }
}

/// Runs `operation`, cancelling it and throwing `TimeoutError` after `timeout`.
public func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
