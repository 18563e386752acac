import ERPKernel
import Foundation
import Hummingbird
import Platform
import ServiceRuntime

extension TransactionServiceModule {
    func addSetupRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/accounts") { request, context in
            let identity = try context.require(.ledgerRead)
            try await processor.tenantSetup.ensure(identity.tenantID)
            return try Response.json(Page(data: try await queries.accounts(tenant: identity.tenantID), nextCursor: nil), etagFor: request)
        }
        router.get("/api/v1/tax-codes") { request, context in
            _ = try context.require(.ledgerRead)
            // Fixed in the code: the gateway may keep them for as long as a deployment lasts, nearly.
            return try Response.json(Page(data: SKR03.taxCodes, nextCursor: nil), etagFor: request, gatewayMaxAgeSeconds: 300)
        }
        router.get("/api/v1/fiscal-periods") { request, context in
            let identity = try context.require(.ledgerRead)
            let year = try Self.year(request.uri.queryParameters.get("year"), name: "year")
            return try Response.json(Page(data: try await queries.fiscalPeriods(tenant: identity.tenantID, year: year), nextCursor: nil), etagFor: request)
        }
        router.patch("/api/v1/fiscal-periods/{period}") { request, context in
            let identity = try context.require(.ledgerWrite)
            let period = try context.parameters.require("period")
            var request = request
            let change = try await request.decodeJSON(Strict<FiscalPeriodChangeRequest>.self, context: context).value
            guard Check.isDate(period + "-01") else {
                throw Problem.validation("period must be YYYY-MM.", invalidParams: [InvalidParam(name: "period", reason: "YYYY-MM")])
            }
            return try Response.json(try await changePeriod(period, to: change.status, identity: identity, trace: context.trace))
        }
    }

    func addLedgerRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/journal-entries") { request, context in
            let identity = try context.require(.ledgerRead)
            return try Response.json(
                try await queries.journalEntries(
                    tenant: identity.tenantID, fiscalYear: try Self.year(request.uri.queryParameters.get("fiscalYear"), name: "fiscalYear"),
                    from: try request.date(query: "from"), to: try request.date(query: "to"), page: try request.page()),
                etagFor: request)
        }
        router.post("/api/v1/journal-entries") { request, context in
            let identity = try context.require(.ledgerWrite)
            var request = request
            let (input, body) = try await request.strictBody(NewJournalEntryRequest.self, context: context)
            return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
                try await ledger.book(input, tenant: identity.tenantID, actor: identity.subject, trace: context.trace, key: key)
            }
        }
        router.get("/api/v1/journal-entries/{id}") { request, context in
            let identity = try context.require(.ledgerRead)
            let id = try context.id()
            guard let entry = try await queries.journalEntry(id, tenant: identity.tenantID) else {
                throw Problem.notFound("There is no journal entry \(id) in this tenant.")
            }
            return try Response.json(entry, etagFor: request)
        }
        router.get("/api/v1/ledger/trial-balance") { request, context in
            let identity = try context.require(.ledgerRead)
            let year = try Self.year(request.uri.queryParameters.get("fiscalYear"), name: "fiscalYear")
                ?? Int(RFC3339.now().prefix(4)) ?? 2026
            return try Response.json(try await queries.trialBalance(tenant: identity.tenantID, fiscalYear: year), etagFor: request)
        }
        router.get("/api/v1/open-items") { request, context in
            let identity = try context.require(.ledgerRead)
            let onlyOpen = try request.choice("status", OpenItemFilter.self) != .all
            return try Response.json(
                try await queries.openItems(
                    tenant: identity.tenantID, partner: try request.entityID(query: "partnerId"),
                    kind: try request.choice("kind", OpenItemKind.self), onlyOpen: onlyOpen, page: try request.page()),
                etagFor: request)
        }
        router.get("/api/v1/payments") { request, context in
            let identity = try context.require(.ledgerRead)
            var filter = LedgerQueries.Filter()
            filter.add("partner_id = ?", try request.entityID(query: "partnerId").map { .text($0.description) })
            return try Response.json(
                try await queries.page(Payment.self, table: "payments", tenant: identity.tenantID, filter: filter, page: try request.page()),
                etagFor: request)
        }
        router.post("/api/v1/payments") { request, context in
            let identity = try context.require(.ledgerWrite)
            var request = request
            let (input, body) = try await request.strictBody(NewPaymentRequest.self, context: context)
            return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
                try await ledger.record(input, tenant: identity.tenantID, actor: identity.subject, trace: context.trace, key: key)
            }
        }
        router.get("/api/v1/stock") { request, context in
            let identity = try context.require(.stockRead)
            let levels = try await queries.stock(
                tenant: identity.tenantID, article: try request.entityID(query: "articleId"), batch: try request.entityID(query: "batchId"),
                location: try request.entityID(query: "locationId"))
            return try Response.json(Page(data: levels, nextCursor: nil), etagFor: request)
        }
        router.get("/api/v1/stock/valuation") { request, context in
            let identity = try context.require(.stockRead)
            return try Response.json(Page(data: try await queries.stockValue(tenant: identity.tenantID), nextCursor: nil), etagFor: request)
        }
    }

    enum OpenItemFilter: String, CaseIterable { case open, all }

    static func year(_ text: String?, name: String) throws -> Int? {
        guard let text else { return nil }
        guard let year = Int(text), (1900...2999).contains(year) else {
            throw Problem.validation("\(name) must be a year.", invalidParams: [InvalidParam(name: name, reason: "a year such as 2026")])
        }
        return year
    }

    /// open → closed → locked; a closed period may be reopened, a locked one never changes again.
    func changePeriod(_ period: String, to status: FiscalPeriodStatus, identity: Identity, trace: TraceContext?) async throws -> FiscalPeriod {
        let tenant = identity.tenantID
        return try await processor.database.write { tx in
            let writer = PostingWriter(tx, tenant: tenant)
            let current = try writer.periodStatus(of: period + "-01")
            let allowed: Bool = switch (current, status) {
            case (.open, .closed), (.closed, .locked), (.closed, .open), (.open, .locked): true
            case let (from, to): from == to
            }
            guard allowed else {
                throw Problem.conflict("fiscal_period_transition", "Period \(period) is \(current.rawValue) and cannot become \(status.rawValue).")
            }
            let now = Date.nowInWholeSeconds
            try writer.setPeriodStatus(of: period + "-01", to: status, at: now)
            if current != status {
                try Outbox.append([TransactionEvents.make(
                    "fiscal_period.changed", tenant: tenant, subject: identity.subject, trace: trace,
                    fields: ["period": .string(period), "from": .string(current.rawValue), "to": .string(status.rawValue),
                             "actor": .string(identity.subject.description)])], in: tx)
            }
            return FiscalPeriod(period: period, status: status, changedAt: now)
        }
    }
}
