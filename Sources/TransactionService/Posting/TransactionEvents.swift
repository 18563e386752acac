import ERPKernel
import Foundation
import ServiceRuntime

/// The events the transactions service publishes (`transactions.<thing>.<what>.v1`).
enum TransactionEvents {
    static func make(_ type: String, tenant: TenantID, subject: EntityID, trace: TraceContext?, fields: [String: JSONValue]) -> EventEnvelope {
        EventEnvelope(
            type: "transactions.\(type).v1", source: ServiceName.transactions.rawValue, tenantID: tenant,
            subject: subject.description, traceID: trace?.traceID,
            payload: JSONValue.object(fields).jsonData)
    }

    static func posted(_ transaction: BusinessTransaction, entry: JournalEntry?, result: PostingResult, tenant: TenantID, trace: TraceContext?) -> [EventEnvelope] {
        var events = [
            make(
                transaction.reversesId == nil ? "transaction.posted" : "transaction.reversed", tenant: tenant,
                subject: transaction.id, trace: trace,
                fields: [
                    "kind": .string(transaction.kind.rawValue), "date": .string(transaction.date),
                    "partnerId": transaction.partnerId.map { .string($0.description) } ?? .null,
                    "reversesId": transaction.reversesId.map { .string($0.description) } ?? .null,
                    "netMinor": .number(Double(transaction.totals.netMinor)), "taxMinor": .number(Double(transaction.totals.taxMinor)),
                    "grossMinor": .number(Double(transaction.totals.grossMinor)), "currency": .string(transaction.currency),
                    "journalEntryId": entry.map { .string($0.id.description) } ?? .null,
                    "createdBy": .string(transaction.createdBy.description),
                ]),
        ]
        if let entry { events.append(journalEntryPosted(entry, tenant: tenant, trace: trace)) }
        if !result.movements.isEmpty {
            events.append(make(
                "stock.changed", tenant: tenant, subject: transaction.id, trace: trace,
                fields: ["movements": .array(result.movements.map { movement in
                    [
                        "articleId": .string(movement.key.articleId.description), "batchId": .string(movement.key.batchId.description),
                        "locationId": .string(movement.key.locationId.description),
                        "quantity": .string(Quantity.text(movement.quantityMilli)),
                        "onHand": .string(Quantity.text(result.stock[movement.key] ?? 0)),
                    ]
                })]))
        }
        return events
    }

    static func journalEntryPosted(_ entry: JournalEntry, tenant: TenantID, trace: TraceContext?) -> EventEnvelope {
        make(
            "journal_entry.posted", tenant: tenant, subject: entry.id, trace: trace,
            fields: [
                "fiscalYear": .number(Double(entry.fiscalYear)), "number": .number(Double(entry.number)), "date": .string(entry.date),
                "source": .string(entry.source), "totalMinor": .number(Double(entry.lines.reduce(0) { $0 + $1.debitMinor })),
                "createdBy": .string(entry.createdBy.description),
            ])
    }
}
