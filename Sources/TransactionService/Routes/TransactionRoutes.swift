import ERPKernel
import Foundation
import Hummingbird
import Platform
import ServiceRuntime

struct BulkRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["transactions"]
    let transactions: [Strict<NewTransactionRequest>]
}

/// One transaction's outcome in a bulk request.
struct BulkResult: Codable, Sendable {
    let index: Int
    let status: Int
    let transaction: BusinessTransaction?
    let problem: BulkProblem?
}

struct BulkProblem: Codable, Sendable {
    let code: String
    let detail: String?
    let invalidParams: [InvalidParam]?
}

struct BulkResponse: Codable, Sendable {
    let accepted: Int
    let rejected: Int
    let results: [BulkResult]
}

extension TransactionServiceModule {
    static let maximumBulkSize = 1000
    /// Posts of one bulk request in flight at once: enough to fill group commits, bounded so one
    /// import cannot starve the other callers.
    static let bulkConcurrency = 64

    func addTransactionRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/transactions") { request, context in
            let identity = try context.require(.transactionsRead)
            var filter = LedgerQueries.Filter()
            filter.add("status = ?", try request.choice("status", TransactionStatus.self).map { .text($0.rawValue) })
            filter.add("kind = ?", try request.choice("kind", TransactionKind.self).map { .text($0.rawValue) })
            filter.add("partner_id = ?", try request.entityID(query: "partnerId").map { .text($0.description) })
            filter.add("date >= ?", try request.date(query: "from").map { .text($0) })
            filter.add("date <= ?", try request.date(query: "to").map { .text($0) })
            if let article = try request.entityID(query: "articleId") {
                filter.add("id IN (SELECT transaction_id FROM stock_movements WHERE tenant_id = transactions.tenant_id AND article_id = ?)", .text(article.description))
            }
            return try Response.json(
                try await queries.page(BusinessTransaction.self, table: "transactions", tenant: identity.tenantID, filter: filter, page: try request.page()),
                etagFor: request)
        }
        router.post("/api/v1/transactions", use: createTransaction)
        router.post("/api/v1/transactions/bulk", use: createBulk)
        router.get("/api/v1/transactions/{id}") { request, context in
            let identity = try context.require(.transactionsRead)
            let id = try context.id()
            guard let transaction = try await queries.transaction(id, tenant: identity.tenantID) else {
                throw Problem.notFound("There is no transaction \(id) in this tenant.")
            }
            return try Response.json(transaction, etagFor: request)
        }
        router.post("/api/v1/transactions/{id}/post") { request, context in
            let identity = try context.require(.transactionsPost)
            let id = try context.id()
            let body = try await request.body.collect(upTo: 1024)
            return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
                guard let draft = try await queries.transaction(id, tenant: identity.tenantID) else {
                    throw Problem.notFound("There is no transaction \(id) in this tenant.")
                }
                guard draft.status == .draft else {
                    throw Problem.conflict("transaction_not_draft", "Transaction \(id) is \(draft.status.rawValue), not a draft.")
                }
                return try await processor.post(draft, tenant: identity.tenantID, trace: context.trace, key: key, stored: true)
            }
        }
        router.post("/api/v1/transactions/{id}/reverse") { request, context in
            let identity = try context.require(.transactionsPost)
            let id = try context.id()
            var request = request
            let (input, body) = try await request.strictBody(ReversalRequest.self, context: context)
            return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
                try await processor.reverse(id, request: input, tenant: identity.tenantID, actor: identity.subject, trace: context.trace, key: key)
            }
        }
    }

    func createTransaction(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.transactionsPost)
        var request = request
        let (input, body) = try await request.strictBody(NewTransactionRequest.self, context: context)
        return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
            try await create(input, identity: identity, trace: context.trace, key: key)
        }
    }

    func create(
        _ input: NewTransactionRequest, identity: Identity, trace: TraceContext?, key: IdempotencyKey?, turn: WriteTurn? = nil
    ) async throws -> StoredResponse {
        let draft = try processor.draft(from: input, actor: identity.subject)
        if input.post == false { return try await processor.saveDraft(draft, tenant: identity.tenantID, key: key, turn: turn) }
        return try await processor.post(draft, tenant: identity.tenantID, trace: trace, key: key, stored: false, turn: turn)
    }

    /// Up to 1,000 transactions, each accepted or rejected on its own, applied in their order
    /// (a receipt before the issue that needs it). With an Idempotency-Key,
    /// each item is recorded under its own derived key in its own post, so a retry after a crash
    /// replays the items that were committed and posts only the rest.
    func createBulk(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.transactionsPost)
        var request = request
        let (input, body) = try await request.strictBody(BulkRequest.self, context: context)
        guard (1...Self.maximumBulkSize).contains(input.transactions.count) else {
            throw Problem.validation(
                "transactions: 1 to \(Self.maximumBulkSize) per request",
                invalidParams: [InvalidParam(name: "transactions", reason: "1 to \(Self.maximumBulkSize) items")])
        }
        let bulkKey = try IdempotencyKey.of(request, body: body, tenant: identity.tenantID)
        let items = input.transactions.map(\.value)
        var results = [BulkResult?](repeating: nil, count: items.count)
        let turns = WriteTurns()
        try await withThrowingTaskGroup(of: BulkResult.self) { group in
            var next = 0
            func startNext() {
                guard next < items.count else { return }
                let index = next
                next += 1
                group.addTask {
                    let turn = turns.turn(index)
                    let result = await outcome(of: items[index], index: index, bulkKey: bulkKey, identity: identity, trace: context.trace, turn: turn)
                    // An item refused or replayed before its write still lets the next one go, in turn.
                    await turn.wait()
                    turn.pass()
                    return result
                }
            }
            for _ in 0..<min(Self.bulkConcurrency, items.count) { startNext() }
            while let result = try await group.next() {
                results[result.index] = result
                startNext()
            }
        }
        let all = results.compactMap { $0 }
        let accepted = all.filter { $0.problem == nil }.count
        return try Response.json(BulkResponse(accepted: accepted, rejected: all.count - accepted, results: all))
    }

    private func outcome(
        of item: NewTransactionRequest, index: Int, bulkKey: IdempotencyKey?, identity: Identity, trace: TraceContext?, turn: WriteTurn
    ) async -> BulkResult {
        do {
            let key = try bulkKey.map { $0.part(index, body: try JSONCoding.encoder.encode(item)) }
            let stored: StoredResponse
            if let key, let previous = try await idempotency.stored(key) {
                stored = previous
            } else {
                stored = try await create(item, identity: identity, trace: trace, key: key, turn: turn)
            }
            let transaction = try JSONCoding.decoder.decode(BusinessTransaction.self, from: stored.body)
            return BulkResult(index: index, status: stored.status, transaction: transaction, problem: nil)
        } catch let problem as Problem {
            return BulkResult(
                index: index, status: problem.status, transaction: nil,
                problem: BulkProblem(code: problem.code.rawValue, detail: problem.detail, invalidParams: problem.invalidParams.isEmpty ? nil : problem.invalidParams))
        } catch {
            environment.logger.error("bulk item failed", metadata: ["bulk.index": .stringConvertible(index), "error.message": .string("\(error)")])
            return BulkResult(
                index: index, status: 500, transaction: nil,
                problem: BulkProblem(code: "internal_error", detail: "This item could not be processed; retry it.", invalidParams: nil))
        }
    }
}
