import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Traces batches through their predecessors, production and the transactions that moved them,
/// from the trace tables the movement and master-data consumers keep.
struct TraceStore: Sendable {
    let database: any SQLDatabase

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
                let (found, cut) = try Self.movements(of: Array(chunk), numbers: numbers, direction: direction, tenant: tenantValue, in: reader)
                movements += found
                if cut || movements.count > Self.maximumMovements {
                    complete = false
                    movements.removeLast(movements.count - Self.maximumMovements)
                    break
                }
            }
            if generations.count > 500 { movements.sort { ($0.date, $0.transactionId) < ($1.date, $1.transactionId) } }
            return Trace(batchId: batch, direction: direction, batches: batches, movements: movements, complete: complete)
        }
    }

    /// The batches one generation away: made from `batches` (forward) or that `batches` were made
    /// from (backward), through recorded predecessors and through production transactions.
    private static func neighbours(of batches: [EntityID], direction: TraceDirection, tenant: DatabaseValue, in reader: any SQLExecutor) throws -> [EntityID] {
        var found: [EntityID] = []
        for chunk in batches.chunked(400) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let ids = chunk.map { DatabaseValue.text($0.description) }
            let (from, to, fromSign, toSign) = direction == .forward
                ? ("predecessor_id", "batch_id", "<", ">") : ("batch_id", "predecessor_id", ">", "<")
            // CROSS JOIN keeps this batch's movements as the outer loop (SQLite keeps that order);
            // the join's conditions sit in WHERE, as PostgreSQL allows no ON after CROSS JOIN.
            try reader.forEachRow(
                """
                SELECT \(to) AS id FROM trace_batch_links WHERE tenant_id = ? AND \(from) IN (\(marks))
                UNION
                SELECT other.batch_id AS id FROM trace_movements this
                CROSS JOIN trace_movements other
                WHERE this.tenant_id = ? AND this.batch_id IN (\(marks)) AND this.kind = 'production' AND this.reversed = 0
                    AND this.quantity_milli \(fromSign) 0
                    AND other.tenant_id = this.tenant_id AND other.transaction_id = this.transaction_id
                    AND other.quantity_milli \(toSign) 0
                """,
                [tenant] + ids + [tenant] + ids
            ) { row in
                if let id = row["id"].string.flatMap(EntityID.init) { found.append(id) }
            }
        }
        return found
    }

    private static func describe(_ generations: [EntityID: Int], tenant: DatabaseValue, in reader: any SQLExecutor) throws -> [TracedBatch] {
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
        of batches: [EntityID], numbers: [EntityID: String], direction: TraceDirection, tenant: DatabaseValue, in reader: any SQLExecutor
    ) throws -> (movements: [TracedMovement], cut: Bool) {
        let kinds = (direction == .forward ? deliveries : receipts).map { "'\($0)'" }.joined(separator: ", ")
        let marks = Array(repeating: "?", count: batches.count).joined(separator: ", ")
        struct Key: Hashable { let transaction: String, batch: String, article: String }
        var quantities: [Key: (quantity: Int, kind: String, date: String, partner: String?)] = [:]
        var rows = 0
        // Answered from the covering index alone; lines of one batch in one transaction add up.
        try reader.forEachRow(
            """
            SELECT transaction_id, batch_id, article_id, quantity_milli, kind, date, partner_id FROM trace_movements
            WHERE tenant_id = ? AND batch_id IN (\(marks)) AND kind IN (\(kinds)) AND reversed = 0
                AND quantity_milli \(direction == .forward ? "<" : ">") 0
            LIMIT \(maximumMovements + 1)
            """,
            [tenant] + batches.map { .text($0.description) }
        ) { row in
            rows += 1
            let key = Key(transaction: try row.requireString("transaction_id"), batch: try row.requireString("batch_id"), article: try row.requireString("article_id"))
            let quantity = try row.requireInt("quantity_milli")
            if let earlier = quantities[key] {
                quantities[key]?.quantity = earlier.quantity + quantity
            } else {
                quantities[key] = (quantity, try row.requireString("kind"), try row.requireString("date"), row.optionalString("partner_id"))
            }
        }
        let partners = try names(
            "SELECT id, name, city FROM trace_partners", ids: Set(quantities.values.compactMap(\.partner)), tenant: tenant, in: reader)
        let articles = try names(
            "SELECT id, name, base_unit AS city FROM trace_articles", ids: Set(quantities.keys.map(\.article)), tenant: tenant, in: reader)
        // Sorted on the keys before the movements are built: cheaper than moving the movements.
        let ordered = quantities.sorted { ($0.value.date, $0.key.transaction) < ($1.value.date, $1.key.transaction) }
        // More rows than the limit: some were not read, and a quantity may be a partial sum.
        return (try ordered.map { key, value in
            guard let transaction = EntityID(key.transaction), let batch = EntityID(key.batch), let article = EntityID(key.article) else {
                throw UnreadableRowError(column: "trace_movements.ids")
            }
            let partner = value.partner.flatMap { partners[$0] }
            let unit = articles[key.article]?.extra
            return TracedMovement(
                transactionId: transaction, kind: value.kind, date: value.date, partnerId: value.partner.flatMap(EntityID.init),
                partnerName: partner?.name, partnerCity: partner?.extra, batchId: batch, batchNumber: numbers[batch], articleId: article,
                articleName: articles[key.article]?.name, quantity: Quantity.text(abs(value.quantity)), unit: unit?.isEmpty == false ? unit : nil)
        }, rows > maximumMovements)
    }

    /// Name and one more column (city, unit) by ID, in statements of at most 500 IDs.
    private static func names(
        _ select: String, ids: Set<String>, tenant: DatabaseValue, in reader: any SQLExecutor
    ) throws -> [String: (name: String, extra: String?)] {
        var found: [String: (name: String, extra: String?)] = [:]
        for chunk in ids.sorted().chunked(500) {
            try reader.forEachRow(
                "\(select) WHERE tenant_id = ? AND id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ", ")))",
                [tenant] + chunk.map { .text($0) }
            ) { row in
                found[try row.requireString("id")] = (try row.requireString("name"), row.optionalString("city"))
            }
        }
        return found
    }
}

extension Array {
    /// The elements in runs of at most `size`, for statements with a bounded number of parameters.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
