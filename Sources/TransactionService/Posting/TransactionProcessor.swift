import ERPKernel
import Foundation
import HTTPTypes
import Platform
import ServiceRuntime

/// Creates, posts and reverses business transactions. A post is one write: stock, ledger, open
/// item, events and the idempotency record commit together, sharing a group commit with the
/// posts that arrive at the same time.
struct TransactionProcessor: Sendable {
    let database: any SQLDatabase
    let masterData: MasterDataStore
    let tenantSetup: TenantSetup
    /// The compliance gate; `nil` when no compliance answer is configured (local rules only).
    let clearance: (any BatchClearance)?

    static let maximumItems = 500
    static let supportedCurrencies: Set<String> = ["EUR"]

    /// Validates a request's shape and builds the draft it describes.
    func draft(from request: NewTransactionRequest, actor: EntityID) throws -> BusinessTransaction {
        var findings = Check.date(request.date, "date", required: true)
        let currency = request.currency ?? "EUR"
        if !Self.supportedCurrencies.contains(currency) { findings.append(InvalidParam(name: "currency", reason: "only EUR is supported")) }
        findings += Check.text(request.reference, "reference", length: 1...100, required: false)
        if request.items.isEmpty || request.items.count > Self.maximumItems {
            findings.append(InvalidParam(name: "items", reason: "1 to \(Self.maximumItems) items"))
        }
        for (index, item) in request.items.map(\.value).enumerated() {
            let name = "items[\(index)]"
            if Quantity.parse(item.quantity) == nil {
                findings.append(InvalidParam(name: "\(name).quantity", reason: "a decimal number (at most 12 digits and 3 decimals), as text"))
            }
            if let price = item.unitPrice, UnitPrice.parse(price) == nil {
                findings.append(InvalidParam(name: "\(name).unitPrice", reason: "a decimal number (at most 9 digits and 4 decimals), as text"))
            }
            if let code = item.taxCode { findings += Check.taxCode(code, "\(name).taxCode") }
            if item.role != nil, request.kind != .production {
                findings.append(InvalidParam(name: "\(name).role", reason: "only production items have a role"))
            }
        }
        try Check.fail(findings)
        return BusinessTransaction(
            id: .generate(), kind: request.kind, status: .draft, partnerId: request.partnerId, date: request.date,
            reference: request.reference, currency: currency, items: request.items.map(\.value), totals: .zero, createdBy: actor,
            createdAt: Date.nowInWholeSeconds)
    }

    /// Stores a draft without posting it.
    func saveDraft(_ transaction: BusinessTransaction, tenant: TenantID, key: IdempotencyKey?, turn: WriteTurn? = nil) async throws -> StoredResponse {
        let response = try StoredResponse(status: .created, transaction)
        await turn?.wait()
        try await database.write(whenQueued: turn?.pass) { tx in
            try PostingWriter(tx, tenant: tenant).save(transaction)
            if let key { try IdempotencyKeys.record(key, response, in: tx) }
        }
        return response
    }

    /// Posts a new transaction or a stored draft.
    /// - Throws: `PostingRejection` with every reason; for a stored draft, the draft is marked
    ///   rejected with them.
    /// With a `turn`, the write is queued only after the earlier turns' writes (bulk order).
    func post(
        _ draft: BusinessTransaction, tenant: TenantID, trace: TraceContext?, key: IdempotencyKey?, stored: Bool, turn: WriteTurn? = nil
    ) async throws -> StoredResponse {
        try await tenantSetup.ensure(tenant)
        let reference = try await referenceContext(for: draft, tenant: tenant)
        do {
            try await gate(draft, context: reference, tenant: tenant)
            await turn?.wait()
            return try await database.write(whenQueued: turn?.pass) { tx in
                let writer = PostingWriter(tx, tenant: tenant)
                if stored {
                    // Asked again inside the write: another request may have posted it meanwhile.
                    guard try writer.transaction(draft.id)?.status == .draft else {
                        throw Problem.conflict("transaction_not_draft", "Transaction \(draft.id) is no longer a draft.")
                    }
                }
                var context = reference
                try writer.load(into: &context, for: draft)
                let result = try PostingEngine.post(draft, in: context)
                var posted = draft
                posted.status = .posted
                posted.totals = result.totals
                posted.postedAt = Date.nowInWholeSeconds
                try writer.apply(result, of: posted, date: posted.date)
                let entry = result.lines.isEmpty ? nil : try writer.book(
                    result.lines, date: posted.date, description: Self.description(of: posted), source: "transaction",
                    transactionID: posted.id, reverses: nil, actor: posted.createdBy)
                posted.journalEntryId = entry?.id
                if let (kind, amount) = result.openItem, let partner = context.partner {
                    try writer.insertOpenItem(OpenItem(
                        id: .generate(), partnerId: partner.id, kind: kind, transactionId: posted.id, documentDate: posted.date,
                        dueDate: Self.dueDate(posted.date, days: partner.paymentTermsDays), currency: posted.currency,
                        amountMinor: amount, paidMinor: 0))
                }
                let document = posted.jsonDocument
                try writer.save(posted, document: document)
                try Outbox.append(TransactionEvents.posted(posted, entry: entry, result: result, tenant: tenant, trace: trace), in: tx)
                let response = StoredResponse(status: stored ? 200 : 201, body: document)
                if let key { try IdempotencyKeys.record(key, response, in: tx) }
                return response
            }
        } catch let rejection as PostingRejection {
            if stored { try await markRejected(draft, reasons: rejection.reasons, tenant: tenant) }
            throw rejection.problem
        }
    }

    private func markRejected(_ draft: BusinessTransaction, reasons: [InvalidParam], tenant: TenantID) async throws {
        var rejected = draft
        rejected.status = .rejected
        rejected.rejections = reasons
        try await database.write { [rejected] tx in
            let writer = PostingWriter(tx, tenant: tenant)
            guard try writer.transaction(draft.id)?.status == .draft else { return }
            try writer.save(rejected)
        }
    }

    /// Master data the transaction names: from the cache, the rest in one read before the write.
    func referenceContext(for transaction: BusinessTransaction, tenant: TenantID) async throws -> PostingContext {
        let cache = masterData.cache
        var context = PostingContext()
        var articles = Set<EntityID>(), batches = Set<EntityID>(), locations = Set<EntityID>()
        for item in transaction.items {
            if case .article(let article)? = cache.record(tenant, item.articleId) { context.articles[article.id] = article } else { articles.insert(item.articleId) }
            if case .batch(let batch)? = cache.record(tenant, item.batchId) { context.batches[batch.id] = batch } else { batches.insert(item.batchId) }
            for location in [item.locationId] + (item.toLocationId.map { [$0] } ?? []) {
                if case .location? = cache.record(tenant, location) { context.locations.insert(location) } else { locations.insert(location) }
            }
        }
        var partner = transaction.partnerId
        if let id = partner, case .partner(let found)? = cache.record(tenant, id) {
            context.partner = found
            partner = nil
        }
        guard !articles.isEmpty || !batches.isEmpty || !locations.isEmpty || partner != nil else { return context }
        let generation = cache.generation
        let read = try await database.read { [articles, batches, locations, partner] reader in
            var read = PostingContext()
            read.articles = try MasterDataStore.documents(Article.self, in: .articles, tenant: tenant, ids: articles, reader: reader)
            read.batches = try MasterDataStore.documents(Batch.self, in: .batches, tenant: tenant, ids: batches, reader: reader)
            read.locations = try MasterDataStore.existingLocations(tenant: tenant, ids: locations, reader: reader)
            if let partner {
                read.partner = try MasterDataStore.documents(Partner.self, in: .partners, tenant: tenant, ids: [partner], reader: reader)[partner]
            }
            return read
        }
        var records: [MasterDataCache.Key: MasterDataCache.Record] = [:]
        for (id, article) in read.articles {
            context.articles[id] = article
            records[.init(tenant: tenant, id: id)] = .article(article)
        }
        for (id, batch) in read.batches {
            context.batches[id] = batch
            records[.init(tenant: tenant, id: id)] = .batch(batch)
        }
        for id in read.locations {
            context.locations.insert(id)
            records[.init(tenant: tenant, id: id)] = .location
        }
        if let found = read.partner {
            context.partner = found
            records[.init(tenant: tenant, id: found.id)] = .partner(found)
        }
        cache.fill(records, readAt: generation)
        return context
    }

    /// Asks the compliance gate about the batches that would leave stock.
    private func gate(_ transaction: BusinessTransaction, context: PostingContext, tenant: TenantID) async throws {
        guard transaction.kind.passesComplianceGate, let clearance else { return }
        let movements = Array(Set(transaction.items.filter { context.batches[$0.batchId] != nil }.map {
            BatchMovement(articleID: $0.articleId, batchID: $0.batchId, date: transaction.date)
        }))
        guard !movements.isEmpty else { return }
        let refusals = try await clearance.refusals(for: movements, tenant: tenant)
        guard !refusals.isEmpty else { return }
        var reasons: [InvalidParam] = []
        for (index, item) in transaction.items.enumerated() {
            for refusal in refusals where refusal.batchID == item.batchId {
                let number = context.batches[item.batchId]?.batchNumber ?? item.batchId.description
                reasons.append(InvalidParam(name: "items[\(index)].batchId", reason: "batch \(number) may not move: \(refusal.reason.rawValue), \(refusal.detail)"))
            }
        }
        throw PostingRejection(reasons: reasons)
    }

    static func description(of transaction: BusinessTransaction) -> String {
        [String(transaction.kind.rawValue.map { $0 == "_" ? " " : $0 }), transaction.reference].compactMap { $0 }.joined(separator: " ")
    }

    /// The document date plus the partner's payment terms.
    static func dueDate(_ date: String, days: Int) -> String {
        CivilDate(date).map { ($0 + days).description } ?? date
    }
}
