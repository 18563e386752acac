import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Traces batches through their predecessors, production and the transactions that moved them,
/// from the trace tables the movement and master-data consumers keep.
struct TraceStore: Sendable {
    let database: SQLiteDatabase

    static let maximumGenerations = 25
    static let maximumBatches = 5_000
    static let maximumMovements = 200_000
    /// Kinds that take goods to a customer, and that bring goods from a supplier.
    static let deliveries = ["sale", "goods_issue"]
    static let receipts = ["purchase", "goods_receipt"]

    func trace(_ batch: EntityID, direction: TraceDirection, tenant: TenantID) async throws -> Trace {
        try await database.read { reader in
            let tenantValue = DatabaseValue.text(tenant.description)
            var generations: [EntityID: Int] = [batch: 0]
            var frontier = [batch]
            var complete = true
            var generation = 0
            while !frontier.isEmpty {
                guard generation < Self.maximumGenerations, generations.count < Self.maximumBatches else {
                    complete = false
                    break
                }
                generation += 1
                var next: [EntityID] = []
                for id in try Self.neighbours(of: frontier, direction: direction, tenant: tenantValue, in: reader) where generations[id] == nil {
                    generations[id] = generation
                    next.append(id)
                }
                frontier = next
            }
            let batches = try Self.describe(generations, tenant: tenantValue, in: reader)
            var numbers: [EntityID: String] = [:]
            for batch in batches { numbers[batch.batchId] = batch.batchNumber }
            var movements: [TracedMovement] = []
            for chunk in generations.keys.sorted().chunked(500) {
                movements += try Self.movements(of: Array(chunk), numbers: numbers, direction: direction, tenant: tenantValue, in: reader)
                if movements.count > Self.maximumMovements {
                    complete = false
                    movements.removeLast(movements.count - Self.maximumMovements)
                    break
                }
            }
            movements.sort { ($0.date, $0.transactionId) < ($1.date, $1.transactionId) }
            return Trace(batchId: batch, direction: direction, batches: batches, movements: movements, complete: complete)
        }
    }

    /// The batches one generation away: made from `batches` (forward) or that `batches` were made
    /// from (backward), through recorded predecessors and through production transactions.
    private static func neighbours(of batches: [EntityID], direction: TraceDirection, tenant: DatabaseValue, in reader: SQLiteExecutor) throws -> [EntityID] {
        var found: [EntityID] = []
        for chunk in batches.chunked(400) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let ids = chunk.map { DatabaseValue.text($0.description) }
            let (from, to, fromSign, toSign) = direction == .forward
                ? ("predecessor_id", "batch_id", "<", ">") : ("batch_id", "predecessor_id", ">", "<")
            try reader.forEachRow(
                """
                SELECT \(to) AS id FROM trace_batch_links WHERE tenant_id = ? AND \(from) IN (\(marks))
                UNION
                SELECT other.batch_id AS id FROM trace_movements this
                JOIN trace_transactions t ON t.tenant_id = this.tenant_id AND t.id = this.transaction_id AND t.kind = 'production' AND t.reversed = 0
                JOIN trace_movements other ON other.tenant_id = this.tenant_id AND other.transaction_id = this.transaction_id
                    AND other.quantity_milli \(toSign) 0
                WHERE this.tenant_id = ? AND this.batch_id IN (\(marks)) AND this.quantity_milli \(fromSign) 0
                """,
                [tenant] + ids + [tenant] + ids
            ) { row in
                if let id = row["id"].string.flatMap(EntityID.init) { found.append(id) }
            }
        }
        return found
    }

    private static func describe(_ generations: [EntityID: Int], tenant: DatabaseValue, in reader: SQLiteExecutor) throws -> [TracedBatch] {
        var known: [EntityID: BatchQuality] = [:]
        for chunk in generations.keys.sorted().chunked(500) {
            try reader.forEachRow(
                "SELECT document FROM compliance_batches WHERE tenant_id = ? AND batch_id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))",
                [tenant] + chunk.map { .text($0.description) }
            ) { row in
                let batch = try Documents.decode(BatchQuality.self, from: row)
                known[batch.batchId] = batch
            }
        }
        return generations.map { id, generation in
            TracedBatch(batchId: id, batchNumber: known[id]?.batchNumber, articleId: known[id]?.articleId, generation: generation)
        }.sorted { ($0.generation, $0.batchId) < ($1.generation, $1.batchId) }
    }

    private static func movements(
        of batches: [EntityID], numbers: [EntityID: String], direction: TraceDirection, tenant: DatabaseValue, in reader: SQLiteExecutor
    ) throws -> [TracedMovement] {
        let kinds = direction == .forward ? deliveries : receipts
        let marks = Array(repeating: "?", count: batches.count).joined(separator: ", ")
        var movements: [TracedMovement] = []
        try reader.forEachRow(
            """
            SELECT m.transaction_id, m.batch_id, m.article_id, SUM(m.quantity_milli) AS quantity, t.kind, t.date, t.partner_id,
                p.name AS partner_name, p.city AS partner_city, a.name AS article_name, a.base_unit
            FROM trace_movements m
            JOIN trace_transactions t ON t.tenant_id = m.tenant_id AND t.id = m.transaction_id
            LEFT JOIN trace_partners p ON p.tenant_id = t.tenant_id AND p.id = t.partner_id
            LEFT JOIN trace_articles a ON a.tenant_id = m.tenant_id AND a.id = m.article_id
            WHERE m.tenant_id = ? AND m.batch_id IN (\(marks)) AND t.reversed = 0 AND t.kind IN (\(kinds.map { "'\($0)'" }.joined(separator: ", ")))
                AND m.quantity_milli \(direction == .forward ? "<" : ">") 0
            GROUP BY m.transaction_id, m.batch_id, m.article_id
            LIMIT \(maximumMovements + 1)
            """,
            [tenant] + batches.map { .text($0.description) }
        ) { row in
            guard let transaction = row["transaction_id"].string.flatMap(EntityID.init), let batch = row["batch_id"].string.flatMap(EntityID.init),
                let article = row["article_id"].string.flatMap(EntityID.init)
            else { throw UnreadableRowError(column: "trace_movements.ids") }
            movements.append(TracedMovement(
                transactionId: transaction, kind: try row.requireString("kind"), date: try row.requireString("date"),
                partnerId: row.optionalString("partner_id").flatMap(EntityID.init), partnerName: row.optionalString("partner_name"),
                partnerCity: row.optionalString("partner_city"), batchId: batch, batchNumber: numbers[batch], articleId: article,
                articleName: row.optionalString("article_name"), quantity: Quantity.text(abs(try row.requireInt("quantity"))),
                unit: row.optionalString("base_unit").flatMap { $0.isEmpty ? nil : $0 }))
        }
        return movements
    }
}

extension Array {
    /// The elements in runs of at most `size`, for statements with a bounded number of parameters.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
