import Crypto
import ERPKernel
import ERPTesting
import Foundation
import Platform
import Testing
@testable import AuditService

/// The trail in the Audit DB: a hash chain per tenant that names what was done to it behind
/// the service's back.
@Suite struct AuditChainTests {
    @Test func eachEventIsRecordedOnceInAnUnbrokenChain() async throws {
        let audit = try await AuditFixture.make()
        let events = audit.priceChanges(40)
        try await audit.consumer.handle(Array(events[0..<25]))
        // A redelivered batch, overlapping the first, and a duplicate inside one batch.
        try await audit.consumer.handle(Array(events[20..<40]) + [events[39]])
        try await audit.consumer.handle(Array(events[0..<10]))
        let seqs = try await audit.database.read { tx in
            try tx.query("SELECT seq FROM audit_records WHERE tenant_id = ? ORDER BY seq", [.text(audit.tenant.description)]).map { $0["seq"].integer! }
        }
        #expect(seqs == Array(1...40))
        let report = try await audit.ledger.verify(tenant: audit.tenant)
        #expect(report.valid && report.records == 40 && report.findings.isEmpty)
        let first = try await audit.record(1)
        #expect(first.prevHash == AuditRecord.genesisHash)
        #expect(first.actor == audit.actor.description)
        #expect(first.action == "transactions.article.changed" && first.resourceType == "article" && first.resourceId == "article-0")
        #expect(first.changes == #"{"after":{"priceMinor":4100},"before":{"priceMinor":4000}}"#)
        #expect(try await audit.record(2).prevHash == first.hash)
        await audit.database.close()
    }

    @Test func theDatabaseRefusesToChangeOrDeleteARecord() async throws {
        let audit = try await AuditFixture.make()
        try await audit.consumer.handle(audit.priceChanges(3))
        try await audit.ledger.seal(tenant: audit.tenant)
        for sql in [
            "UPDATE audit_records SET actor = 'someone-else' WHERE seq = 2", "DELETE FROM audit_records WHERE seq = 3",
            "UPDATE audit_checkpoints SET hash = 'x'", "DELETE FROM audit_checkpoints",
        ] {
            // Refused by the triggers, on either backend, with their reason.
            await #expect("\(sql) went through") { try await audit.database.write { tx in try tx.execute(sql) } } throws: { error in
                "\(error)".contains("append-only")
            }
        }
        #expect(try await audit.ledger.verify(tenant: audit.tenant).valid)
        await audit.database.close()
    }

    @Test func anEditedADeletedAndAnInsertedRecordAreEachNamed() async throws {
        let audit = try await AuditFixture.make()
        try await audit.consumer.handle(audit.priceChanges(30))
        let tenant = DatabaseValue.text(audit.tenant.description)
        let forged = "INSERT INTO audit_records (tenant_id, \(AuditLedger.recordColumns)) VALUES (?, 31, 'forged', '2026-11-25T10:00:00.000Z', ?, 'transactions.article.changed', 'article', 'article-1', '{}', NULL, 'transactions', ?, ?)"
        try await audit.tamper([
            ("UPDATE audit_records SET changes = '{\"after\":{\"priceMinor\":1}}' WHERE tenant_id = ? AND seq = 5", [tenant]),
            ("DELETE FROM audit_records WHERE tenant_id = ? AND seq = 12", [tenant]),
            (forged, [tenant, .text(audit.actor.description), .text(String(repeating: "a", count: 64)), .text(String(repeating: "b", count: 64))]),
        ])
        let report = try await audit.ledger.verify(tenant: audit.tenant)
        #expect(!report.valid)
        #expect(report.findings.map(\.seq) == [5, 12, 31])
        #expect(report.findings.map(\.problem) == [.changed, .removed, .inserted])
        #expect(report.findings.first?.eventId == (try await audit.record(5)).eventId)
        await audit.database.close()
    }

    /// Someone who knows the hashing renumbers the trail to make room and links a forged record
    /// in properly: the record after it still links past it, and the checkpoint no longer fits.
    @Test func aRecordSlippedIntoTheMiddleWithAValidHashIsNamed() async throws {
        let audit = try await AuditFixture.make()
        try await audit.consumer.handle(audit.priceChanges(20))
        try await audit.ledger.seal(tenant: audit.tenant)
        let ninth = try await audit.record(9)
        var forged = ninth
        forged.eventId = "forged"
        forged.changes = #"{"after":{"priceMinor":1}}"#
        forged.seal(after: ninth.hash)
        let tenant = DatabaseValue.text(audit.tenant.description)
        try await audit.tamper(
            (10...20).reversed().map { ("UPDATE audit_records SET seq = seq + 1 WHERE tenant_id = ? AND seq = \($0)", [tenant]) } + [(
                "INSERT INTO audit_records (tenant_id, \(AuditLedger.recordColumns)) VALUES (?, 10, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
                [tenant, .text(forged.eventId), .text(forged.occurredAt), .text(forged.actor), .text(forged.action), .text(forged.resourceType),
                 .text(forged.resourceId!), .text(forged.changes), .text(forged.source), .text(forged.prevHash), .text(forged.hash)]
            )])
        let report = try await audit.ledger.verify(tenant: audit.tenant)
        #expect(!report.valid)
        #expect(report.findings.contains { $0.seq == 10 && $0.problem == .inserted && $0.eventId == "forged" })
        #expect(report.findings.contains { $0.seq == 20 && $0.problem == .checkpoint })
        await audit.database.close()
    }

    @Test func checkpointsAreSignedAndAForgedSignatureIsNamed() async throws {
        let audit = try await AuditFixture.make()
        let changes = audit.priceChanges(1_005)
        try await audit.consumer.handle(Array(changes[..<1_000]))
        try await audit.consumer.handle(Array(changes[1_000...]))
        // One checkpoint at the thousandth record came with the appends; sealing adds the tail.
        #expect(try await audit.ledger.checkpoints(tenant: audit.tenant).checkpoints.map(\.seq) == [1_000])
        try await audit.ledger.seal(tenant: audit.tenant)
        let (key, checkpoints) = try await audit.ledger.checkpoints(tenant: audit.tenant)
        #expect(checkpoints.map(\.seq) == [1_000, 1_005])
        let publicKey = try #require(key.flatMap(AuditExport.publicKey))
        #expect(checkpoints.allSatisfy { $0.isSigned(by: publicKey) })
        let sealed = try await audit.ledger.verify(tenant: audit.tenant)
        #expect(sealed.valid && sealed.unsealedRecords == 0 && sealed.lastCheckpointSeq == 1_005)

        var other = checkpoints[0]
        other.signature = try Curve25519.Signing.PrivateKey().signature(for: other.signedMessage).base64EncodedString()
        try await audit.tamper([("UPDATE audit_checkpoints SET signature = ? WHERE seq = 1000", [.text(other.signature)])])
        let report = try await audit.ledger.verify(tenant: audit.tenant)
        #expect(report.findings.map(\.seq) == [1_000] && report.findings.first?.problem == .checkpoint)
        await audit.database.close()
    }

    @Test func personalDataStaysOutOfTheChainAndCanBePseudonymised() async throws {
        let audit = try await AuditFixture.make()
        let user = EntityID.generate()
        let created = EventEnvelope(
            type: "users.user.created.v1", source: "users", tenantID: audit.tenant, subject: user.description,
            payload: Data(#"{"actor":null,"email":"hans@hof.example","name":"Hans Huber","roles":["sales"],"status":"active"}"#.utf8))
        let sale = EventEnvelope.make(.transactions, "transaction.posted", tenant: audit.tenant, subject: "sale-1", trace: nil) { json in
            json.field("createdBy", user.description)
            json.field("grossMinor", 119)
        }
        try await audit.consumer.handle([created, sale])
        let stored = try await audit.record(1)
        #expect(stored.changes == #"{"after":{"email":"[personal data]","name":"[personal data]","roles":["sales"],"status":"active"}}"#)
        func byUser() async throws -> String {
            String(decoding: try await audit.ledger.events(tenant: audit.tenant, filter: AuditFilter(actor: user.description), page: PageRequest()), as: UTF8.self)
        }
        let before = try await byUser()
        #expect(before.contains(#""email":"hans@hof.example""#) && before.contains(#""name":"Hans Huber""#))
        #expect(try await audit.ledger.pseudonymise(user.description, tenant: audit.tenant))
        #expect(try await !audit.ledger.pseudonymise(EntityID.generate().description, tenant: audit.tenant))
        let after = try await byUser()
        #expect(!after.contains("hans@hof.example") && !after.contains("Hans Huber") && after.contains(#""pseudonymised":true"#))
        // A later rename does not bring a name back.
        let renamed = EventEnvelope(
            type: "users.user.changed.v1", source: "users", tenantID: audit.tenant, subject: user.description,
            payload: Data(#"{"actor":"x","changes":{"name":{"from":"Hans Huber","to":"Hans H."}}}"#.utf8))
        try await audit.consumer.handle([renamed])
        #expect(!(try await byUser()).contains("Hans H."))
        #expect(try await audit.ledger.verify(tenant: audit.tenant).valid)
        await audit.database.close()
    }
}
