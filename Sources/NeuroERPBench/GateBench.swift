import ComplianceService
import ERPKernel
import Foundation
import Logging
import Platform
import ServiceRuntime

/// The compliance gate as the transactions service asks it in process: decisions per second for
/// sales of three batches, on one task and on one task per core, with 10,000 released batches
/// and a crop-protection approval in memory.
enum GateBench {
    static func run(decisions: Int) async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-gate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await SQLiteDatabase.open(
            name: "compliance", path: directory.appendingPathComponent("compliance.sqlite").path, synchronous: .normal, logger: logger)
        let migrator = Migrator(database: database, logger: logger)
        try await migrator.apply(PlatformMigrations.track(for: .sqlite))
        try await migrator.apply(ComplianceServiceModule.migrations(for: .sqlite))
        let environment = ServiceEnvironment(
            mode: .embedded, version: "bench", database: database, bus: InProcessEventBus(), cache: InProcessCache(maximumEntries: 1),
            metrics: MetricsRegistry(), logger: logger, client: { _ in fatalError("the gate bench calls no other service") })
        let compliance = ComplianceServiceModule(environment: environment)
        let tenant = TenantID(.generate())
        let goods = (0..<10_000).map { index in (article: EntityID.generate(), batch: EntityID.generate(), approval: index == 0 ? "024567-00" : nil) }
        try await compliance.seedDemoQuality(tenant: tenant, actor: .generate(), goods: goods)
        let sales = (0..<1024).map { index in
            (0..<3).map { line in
                let item = goods[(index * 3 + line * 7919) % goods.count]
                return BatchMovement(articleID: item.article, batchID: item.batch, date: "2026-11-25")
            }
        }
        let gate = compliance.gate
        let calls = decisions / 3
        func decide(_ count: Int, offset: Int) async throws -> Int {
            var refused = 0
            for index in 0..<count { refused += try await gate.refusals(for: sales[(index + offset) & 1023], tenant: tenant).count }
            return refused
        }
        _ = try await decide(10_000, offset: 0)  // warm: the tenant is read from the database once

        let start = ContinuousClock.now
        let refusedAlone = try await decide(calls, offset: 0)
        let alone = (ContinuousClock.now - start).seconds

        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parallelStart = ContinuousClock.now
        let refusedTogether = try await withThrowingTaskGroup(of: Int.self) { group in
            for core in 0..<cores { group.addTask { try await decide(calls, offset: core * 97) } }
            return try await group.reduce(0, +)
        }
        let together = (ContinuousClock.now - parallelStart).seconds
        await database.close()
        let result: [String: Any] = [
            "cores": cores,
            "batchesInMemory": goods.count,
            "decisionsPerSecondOneTask": (Double(calls * 3) / alone).rounded(),
            "decisionsPerSecondAllCores": (Double(calls * 3 * cores) / together).rounded(),
            "salesPerSecondOneTask": (Double(calls) / alone).rounded(),
            "refused": refusedAlone + refusedTogether,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }
}
