import AuditService
import ERPKernel
import Foundation
import Logging
import Platform
import ServiceRuntime

/// The audit trail as the embedded mode fills it: `events` events of one tenant (postings,
/// journal entries, master-data changes, log-ins) wait in a producer's outbox; the outbox relay
/// delivers them over the in-process bus to the audit service, which chains and stores them
/// (durability `full`, as by default). Then the whole trail is verified in the database, exported
/// to JSON Lines, and the export verified offline.
enum AuditBench {
    static func run(events count: Int) async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let main = try await SQLiteDatabase.open(name: "main", path: directory.appendingPathComponent("main.sqlite").path, logger: logger)
        let audit = try await SQLiteDatabase.open(
            name: "audit", path: directory.appendingPathComponent("audit.sqlite").path, walRestartFrames: SQLiteDatabase.boundedWALFrames, logger: logger)
        try await Migrator(database: main, logger: logger).apply(PlatformMigrations.track(for: .sqlite))
        try await Migrator(database: audit, logger: logger).apply(PlatformMigrations.track(for: .sqlite))
        try await Migrator(database: audit, logger: logger).apply(AuditServiceModule.migrations(for: .sqlite))
        let bus = InProcessEventBus()
        let metrics = MetricsRegistry()
        let module = AuditServiceModule(environment: ServiceEnvironment(
            mode: .embedded, version: "bench", database: audit, bus: bus, cache: InProcessCache(maximumEntries: 1),
            metrics: metrics, logger: logger, client: { _ in fatalError("the audit bench calls no other service") }))
        for subscriber in module.subscriptions { await bus.subscribe(subscriber) }

        let tenant = TenantID(.generate())
        let users = (0..<50).map { _ in EntityID.generate() }
        var written = 0
        while written < count {
            let chunk = (written..<min(count, written + 10_000)).map { event(number: $0, tenant: tenant, users: users) }
            try await main.write { tx in try Outbox.append(chunk, in: tx) }
            written += chunk.count
        }
        let relay = OutboxRelay(outbox: Outbox(database: main), bus: bus, metrics: metrics, logger: logger)
        let ingestStart = ContinuousClock.now
        try await relay.flush()
        let ingest = ContinuousClock.now - ingestStart

        let verifyStart = ContinuousClock.now
        let report = try await module.verify(tenant: tenant)
        let verify = ContinuousClock.now - verifyStart
        guard report.valid, report.records == count else {
            throw BenchFailure(description: "the trail is not valid or incomplete: \(report.records) of \(count) records, \(report.findings.prefix(3))")
        }

        let file = directory.appendingPathComponent("export.jsonl")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        let exportStart = ContinuousClock.now
        try await module.export(tenant: tenant) { bytes in try handle.write(contentsOf: bytes) }
        try handle.close()
        let export = ContinuousClock.now - exportStart
        let offlineStart = ContinuousClock.now
        let offline = try ExportVerifier.verify(file: file)
        let offlineDuration = ContinuousClock.now - offlineStart
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        await main.close()
        await audit.close()

        var json = JSONWriter()
        json.object { json in
            func number(_ name: String, _ value: Double) {
                json.key(name)
                json.literal(String(format: "%.3f", value))
            }
            json.field("checkpoints", report.checkpoints)
            json.field("cores", ProcessInfo.processInfo.activeProcessorCount)
            json.field("events", count)
            json.field("exportBytes", fileBytes)
            number("exportSeconds", export.seconds)
            json.field("ingestEventsPerSecond", Int(Double(count) / ingest.seconds))
            number("ingestSeconds", ingest.seconds)
            json.field("offlineValid", offline.valid)
            number("offlineVerifySeconds", offlineDuration.seconds)
            json.field("residentMemoryBytes", ProcessMetrics.residentMemoryBytes())
            number("verifySeconds", verify.seconds)
        }
        print(String(decoding: json.bytes, as: UTF8.self))
    }

    /// Four of ten events are postings, four journal entries, one a master-data change with its
    /// before, one a log-in: the mix an office day sends the trail.
    static func event(number: Int, tenant: TenantID, users: [EntityID]) -> EventEnvelope {
        let actor = users[number % users.count].description
        let subject = EntityID.generate()
        switch number % 10 {
        case 0...3:
            return EventEnvelope.make(.transactions, "transaction.posted", tenant: tenant, subject: subject.description, trace: .generate()) { json in
                json.field("createdBy", actor)
                json.field("currency", "EUR")
                json.field("date", "2026-11-25")
                json.field("grossMinor", 119_000 + number)
                json.field("journalEntryId", EntityID.generate().description)
                json.field("kind", "sale")
                json.field("netMinor", 100_000 + number)
                json.field("partnerId", EntityID.generate().description)
                json.field("taxMinor", 19_000)
            }
        case 4...7:
            return EventEnvelope.make(.transactions, "journal_entry.posted", tenant: tenant, subject: subject.description, trace: .generate()) { json in
                json.field("createdBy", actor)
                json.field("date", "2026-11-25")
                json.field("fiscalYear", 2026)
                json.field("number", number)
                json.field("source", "sale")
                json.field("totalMinor", 119_000 + number)
            }
        case 8:
            return EventEnvelope.make(.transactions, "article.changed", tenant: tenant, subject: subject.description, trace: .generate()) { json in
                json.field("actor", actor)
                json.object("before") { json in
                    json.field("name", "Weizen Saatgut")
                    json.field("priceMinor", 4_200)
                    json.field("version", 1)
                }
                json.object("record") { json in
                    json.field("name", "Weizen Saatgut")
                    json.field("priceMinor", 4_300 + number % 100)
                    json.field("version", 2)
                }
            }
        default:
            return EventEnvelope(
                type: "auth.login.succeeded.v1", source: "auth", tenantID: tenant, subject: actor, payload: Data("{}".utf8))
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String

    init(description: String) { self.description = description }
    init(_ description: String) { self.description = description }
}
