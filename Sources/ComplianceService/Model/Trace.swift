import ERPKernel
import Foundation

enum TraceDirection: String, Codable, Sendable, CaseIterable {
    /// Towards the customers: the batches made from this one and everything delivered from them.
    case forward
    /// Towards the suppliers: the batches this one was made from and everything received of them.
    case backward
}

struct TracedBatch: Codable, Sendable, Equatable {
    let batchId: EntityID
    let batchNumber: String?
    let articleId: EntityID?
    /// 0 for the batch traced, 1 for the batches made from it (or it from), and so on.
    let generation: Int
}

/// A delivery (forward) or a receipt (backward) of a traced batch.
struct TracedMovement: Codable, Sendable, Equatable {
    let transactionId: EntityID
    let kind: String
    let date: String
    let partnerId: EntityID?
    let partnerName: String?
    let partnerCity: String?
    let batchId: EntityID
    let batchNumber: String?
    let articleId: EntityID
    let articleName: String?
    /// Decimal text in the article's base unit; always positive.
    let quantity: String
    let unit: String?
}

struct Trace: Codable, Sendable {
    let batchId: EntityID
    let direction: TraceDirection
    let batches: [TracedBatch]
    let movements: [TracedMovement]
    /// `false` when a limit cut the trace short (more generations, batches or movements exist).
    let complete: Bool
}

/// Everything a recall needs: per customer, each delivery of the batch or of batches made from it.
struct RecallReport: Codable, Sendable {
    let batchId: EntityID
    let batchNumber: String?
    let generatedAt: Date
    let batches: [TracedBatch]
    let customers: [Customer]
    let complete: Bool

    struct Customer: Codable, Sendable {
        let partnerId: EntityID?
        let name: String?
        let city: String?
        let deliveries: [TracedMovement]
    }

    init(trace: Trace, generatedAt: Date) {
        batchId = trace.batchId
        batchNumber = trace.batches.first { $0.generation == 0 }?.batchNumber
        self.generatedAt = generatedAt
        batches = trace.batches
        complete = trace.complete
        let grouped = Dictionary(grouping: trace.movements) { $0.partnerId }
        customers = grouped.map { partner, deliveries in
            Customer(partnerId: partner, name: deliveries.first?.partnerName, city: deliveries.first?.partnerCity, deliveries: deliveries)
        }.sorted { ($0.name ?? "~", $0.partnerId?.description ?? "") < ($1.name ?? "~", $1.partnerId?.description ?? "") }
    }

    /// One line per delivery, for a spreadsheet or the authority.
    var csv: String {
        var lines = ["customer;partner_id;city;transaction_id;date;kind;batch_number;batch_id;article;quantity;unit"]
        for customer in customers {
            for delivery in customer.deliveries {
                lines.append([
                    customer.name ?? "", customer.partnerId?.description ?? "", customer.city ?? "", delivery.transactionId.description, delivery.date,
                    delivery.kind, delivery.batchNumber ?? "", delivery.batchId.description, delivery.articleName ?? delivery.articleId.description,
                    delivery.quantity, delivery.unit ?? "",
                ].map(Self.field).joined(separator: ";"))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Quoted when it holds a separator, a quote or a line break (RFC 4180 style, `;` as German spreadsheets expect).
    private static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == ";" || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
