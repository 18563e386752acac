import ERPKernel
import ERPTesting
import Foundation
import Platform
@testable import AuditService

/// An Audit DB of its own in a temporary directory, with the consumer that fills it.
struct AuditFixture {
    let database: any SQLDatabase
    let directory: URL
    let ledger: AuditLedger
    let consumer: AuditConsumer
    let tenant = TenantID(.generate())
    let actor = EntityID.generate()

    static func make() async throws -> AuditFixture {
        let (database, directory) = try await TestDatabase.make(name: "audit")
        try await Migrator(database: database, logger: TestDatabase.logger).apply(AuditServiceModule.migrations(for: database.dialect))
        let ledger = AuditLedger(database: database)
        return AuditFixture(database: database, directory: directory, ledger: ledger, consumer: AuditConsumer(ledger: ledger))
    }

    /// `count` changes of an article's price by `actor`, as the transactions service announces them.
    func priceChanges(_ count: Int, tenant: TenantID? = nil) -> [EventEnvelope] {
        (0..<count).map { index in
            EventEnvelope.make(
                .transactions, "article.changed", tenant: tenant ?? self.tenant, subject: "article-\(index % 3)", trace: .generate()
            ) { json in
                json.field("actor", actor.description)
                json.object("before") { json in
                    json.field("name", "Weizen")
                    json.field("priceMinor", 4_000 + index)
                }
                json.object("record") { json in
                    json.field("name", "Weizen")
                    json.field("priceMinor", 4_100 + index)
                }
            }
        }
    }

    /// Opens the file as someone with access to the disk would, past the service.
    func tamper(_ statements: [(String, [DatabaseValue])]) async throws {
        let intruder = try await TestDatabase.reopen(name: "audit", directory: directory)
        try await intruder.write { tx in
            for (trigger, table) in [
                ("audit_records_immutable", "audit_records"), ("audit_records_undeletable", "audit_records"),
                ("audit_checkpoints_immutable", "audit_checkpoints"),
            ] {
                try tx.execute("DROP TRIGGER IF EXISTS \(trigger)" + (tx.dialect == .postgresql ? " ON \(table)" : ""))
            }
            for (sql, binds) in statements { try tx.execute(sql, binds) }
        }
        await intruder.close()
    }

    func record(_ seq: Int) async throws -> AuditRecord {
        let tenant = tenant.description
        return try await database.read { tx in
            try AuditLedger.record(
                try tx.query("SELECT \(AuditLedger.recordColumns) FROM audit_records WHERE tenant_id = ? AND seq = ?", [.text(tenant), .integer(seq)]).first!,
                tenant: tenant)
        }
    }
}
