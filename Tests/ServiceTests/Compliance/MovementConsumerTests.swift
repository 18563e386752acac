import ERPKernel
import ERPTesting
import Foundation
import Platform
import Testing
@testable import ComplianceService

/// The trace tables written from the transactions service's events, however a sale's posting
/// and its stock movements fall into the consumer's batches.
@Suite struct MovementConsumerTests {
    let tenant = TenantID(EntityID.generate())
    let partner = EntityID.generate()

    func posted(_ transaction: EntityID, reverses: EntityID? = nil) -> EventEnvelope {
        let payload = #"{"kind": "sale", "date": "2026-11-26", "partnerId": "\#(partner)"\#(reverses.map { #", "reversesId": "\#($0)""# } ?? "")}"#
        return EventEnvelope(
            type: reverses == nil ? "transactions.transaction.posted.v1" : "transactions.transaction.reversed.v1", source: "transactions",
            tenantID: tenant, subject: transaction.description, payload: Data(payload.utf8))
    }

    func stock(_ transaction: EntityID, lines: Int) -> EventEnvelope {
        let movements = (0..<lines).map { _ in #"{"articleId": "\#(EntityID.generate())", "batchId": "\#(EntityID.generate())", "quantity": "-1.5"}"# }
        return EventEnvelope(
            type: "transactions.stock.changed.v1", source: "transactions", tenantID: tenant, subject: transaction.description,
            payload: Data(#"{"movements": [\#(movements.joined(separator: ", "))]}"#.utf8))
    }

    /// Each movement of `transaction` as "line kind partner reversed".
    func movements(_ transaction: EntityID, in database: any SQLDatabase) async throws -> [String] {
        try await database.read { reader in
            try reader.query(
                "SELECT line, kind, partner_id, reversed FROM trace_movements WHERE tenant_id = ? AND transaction_id = ? ORDER BY line",
                [.text(tenant.description), .text(transaction.description)])
        }.map { "\($0["line"].integer ?? 0) \($0["kind"].string ?? "-") \($0["partner_id"].string == partner.description ? "partner" : "-") \($0["reversed"].integer ?? -1)" }
    }

    @Test func movementsCarryThePostingWhereverItsEventFalls() async throws {
        let (database, _) = try await TestDatabase.make(name: "compliance")
        try await Migrator(database: database, logger: TestDatabase.logger).apply(ComplianceServiceModule.migrations(for: database.dialect))
        let consumer = MovementConsumer(inbox: EventInbox(database: database, consumer: "compliance.movements"))
        let expected = ["1 sale partner 0", "2 sale partner 0", "3 sale partner 0"]

        let together = EntityID.generate(), postingFirst = EntityID.generate(), apart = EntityID.generate(), redelivered = EntityID.generate()
        // Movements before their posting in one batch; the posting before the movements in another.
        try await consumer.handle([stock(together, lines: 3), posted(together)])
        try await consumer.handle([posted(postingFirst), stock(postingFirst, lines: 3)])
        // The movements alone; their posting in a later batch.
        try await consumer.handle([stock(apart, lines: 3)])
        #expect(try await movements(apart, in: database) == ["1  - 0", "2  - 0", "3  - 0"])
        try await consumer.handle([posted(apart)])
        // Movements recorded before, delivered again beside their posting: the posting still fills them in.
        let first = stock(redelivered, lines: 3)
        try await consumer.handle([first])
        try await consumer.handle([first, posted(redelivered)])
        for transaction in [together, postingFirst, apart, redelivered] {
            #expect(try await movements(transaction, in: database) == expected)
        }

        // A reversal in the same batch as the reversed sale's movements marks them.
        let reversedSale = EntityID.generate()
        try await consumer.handle([posted(reversedSale), stock(reversedSale, lines: 1), posted(EntityID.generate(), reverses: reversedSale)])
        #expect(try await movements(reversedSale, in: database) == ["1 sale partner 1"])
        await database.close()
    }
}
