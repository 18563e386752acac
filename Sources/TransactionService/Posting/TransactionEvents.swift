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

    /// An event whose payload is written straight to JSON, members in sorted key order: the
    /// events of a post are made inside the writer's transaction.
    static func make(_ type: String, tenant: TenantID, subject: EntityID, trace: TraceContext?, payload: (inout JSONWriter) -> Void) -> EventEnvelope {
        EventEnvelope.make(.transactions, type, tenant: tenant, subject: subject.description, trace: trace, payload: payload)
    }

    static func posted(_ transaction: BusinessTransaction, entry: JournalEntry?, result: PostingResult, tenant: TenantID, trace: TraceContext?) -> [EventEnvelope] {
        var events = [
            make(
                transaction.reversesId == nil ? "transaction.posted" : "transaction.reversed", tenant: tenant,
                subject: transaction.id, trace: trace
            ) { json in
                json.field("createdBy", transaction.createdBy.description)
                json.field("currency", transaction.currency)
                json.field("date", transaction.date)
                json.field("grossMinor", transaction.totals.grossMinor)
                json.fieldOrNull("journalEntryId", entry?.id.description)
                json.field("kind", transaction.kind.rawValue)
                json.field("netMinor", transaction.totals.netMinor)
                json.fieldOrNull("partnerId", transaction.partnerId?.description)
                json.fieldOrNull("reversesId", transaction.reversesId?.description)
                json.field("taxMinor", transaction.totals.taxMinor)
            },
        ]
        if let entry { events.append(journalEntryPosted(entry, tenant: tenant, trace: trace)) }
        if !result.movements.isEmpty {
            events.append(make("stock.changed", tenant: tenant, subject: transaction.id, trace: trace) { json in
                json.array("movements", result.movements) { json, movement in
                    json.object { json in
                        json.field("articleId", movement.key.articleId.description)
                        json.field("batchId", movement.key.batchId.description)
                        json.field("locationId", movement.key.locationId.description)
                        json.field("onHand", Quantity.text(result.stock[movement.key] ?? 0))
                        json.field("quantity", Quantity.text(movement.quantityMilli))
                    }
                }
            })
        }
        return events
    }

    static func journalEntryPosted(_ entry: JournalEntry, tenant: TenantID, trace: TraceContext?) -> EventEnvelope {
        make("journal_entry.posted", tenant: tenant, subject: entry.id, trace: trace) { json in
            json.field("createdBy", entry.createdBy.description)
            json.field("date", entry.date)
            json.field("fiscalYear", entry.fiscalYear)
            json.field("number", entry.number)
            json.field("source", entry.source)
            json.field("totalMinor", entry.lines.reduce(0) { $0 + $1.debitMinor })
        }
    }
}
