import ERPKernel
import Foundation
import Platform
import ServiceRuntime

struct ReversalRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["date", "reason"]
    /// The Storno's business date; default today.
    let date: String?
    let reason: String?
}

extension TransactionProcessor {
    /// Reverses a posted transaction with its mirror (Storno): opposite stock movements at the
    /// same values, the journal entry with debit and credit swapped, the open item cleared.
    /// The original stays as it was, marked reversed.
    func reverse(_ id: EntityID, request: ReversalRequest, tenant: TenantID, actor: EntityID, trace: TraceContext?, key: IdempotencyKey?) async throws -> StoredResponse {
        let date = request.date ?? String(RFC3339.now().prefix(10))
        try Check.fail(Check.date(date, "date") + Check.text(request.reason, "reason", length: 1...500, required: false))
        do {
            return try await database.write { tx in
                let writer = PostingWriter(tx, tenant: tenant)
                guard var original = try writer.transaction(id) else { throw Problem.notFound("There is no transaction \(id) in this tenant.") }
                guard original.status == .posted, original.reversesId == nil else {
                    throw PostingRejection(reasons: [InvalidParam(name: "id", reason: "only a posted transaction that is not itself a Storno can be reversed; this one is \(original.status.rawValue)")])
                }
                var reasons: [InvalidParam] = []
                if try writer.periodStatus(of: date) != .open {
                    reasons.append(InvalidParam(name: "date", reason: "the fiscal period \(date.prefix(7)) is not open"))
                }
                let paid = try tx.query(
                    "SELECT COALESCE(SUM(paid_minor), 0) AS paid FROM open_items WHERE tenant_id = ? AND transaction_id = ?",
                    [.text(tenant.description), .text(id.description)]
                ).first?["paid"].integer ?? 0
                if paid != 0 { reasons.append(InvalidParam(name: "id", reason: "payments are allocated to it; record a return instead")) }
                // The mirror movements, checked against today's stock.
                var result = PostingResult()
                for movement in try writer.movements(of: id) {
                    let onHand = try result.stock[movement.key] ?? writer.stockLevel(movement.key)
                    let after = onHand - movement.quantityMilli
                    if after < 0 {
                        reasons.append(InvalidParam(name: "items", reason: "stock of batch \(movement.key.batchId) at \(movement.key.locationId) would become negative"))
                    }
                    result.stock[movement.key] = after
                    var valuation = try result.valuations[movement.key.articleId] ?? writer.valuation(of: movement.key.articleId)
                    valuation.quantityMilli -= movement.quantityMilli
                    valuation.valueMinor -= movement.valueMinor
                    result.valuations[movement.key.articleId] = valuation
                    result.movements.append(StockMovement(line: movement.line, key: movement.key, quantityMilli: -movement.quantityMilli, valueMinor: -movement.valueMinor))
                }
                guard reasons.isEmpty else { throw PostingRejection(reasons: reasons) }
                var storno = BusinessTransaction(
                    id: .generate(), kind: original.kind, status: .posted, partnerId: original.partnerId, date: date,
                    reference: "Storno \(original.reference ?? original.id.description)", currency: original.currency,
                    items: original.items, totals: Totals(netMinor: -original.totals.netMinor, taxMinor: -original.totals.taxMinor, grossMinor: -original.totals.grossMinor),
                    reversesId: original.id, createdBy: actor, createdAt: Date.nowInWholeSeconds, postedAt: Date.nowInWholeSeconds)
                try writer.apply(result, of: storno, date: date)
                var entry: JournalEntry?
                if let originalEntry = original.journalEntryId {
                    entry = try writer.book(
                        try writer.journalLines(of: originalEntry).reversed, date: date,
                        description: "Storno " + Self.description(of: original) + (request.reason.map { ": \($0)" } ?? ""),
                        source: "reversal", transactionID: storno.id, reverses: originalEntry, actor: actor)
                    storno.journalEntryId = entry?.id
                }
                try tx.execute(
                    "UPDATE open_items SET paid_minor = amount_minor WHERE tenant_id = ? AND transaction_id = ?",
                    [.text(tenant.description), .text(id.description)])
                original.status = .reversed
                original.reversedById = storno.id
                try writer.save(original)
                try writer.save(storno)
                try Outbox.append(TransactionEvents.posted(storno, entry: entry, result: result, tenant: tenant, trace: trace), in: tx)
                let response = try StoredResponse(status: .created, storno)
                if let key { try IdempotencyKeys.record(key, response, in: tx) }
                return response
            }
        } catch let rejection as PostingRejection {
            throw rejection.problem
        }
    }
}
