import ERPKernel
import Foundation
import Platform
import ServiceRuntime

struct NewPaymentRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["partnerId", "direction", "date", "amountMinor", "currency", "account", "reference", "allocations"]
    let partnerId: EntityID
    let direction: PaymentDirection
    let date: String
    let amountMinor: Int
    let currency: String?
    /// The money account: 1200 bank (default) or 1000 cash.
    let account: String?
    let reference: String?
    /// Which open items the payment clears; default: the oldest due first.
    let allocations: [Strict<Allocation>]?
}

enum PaymentDirection: String, Codable, Sendable, CaseIterable {
    case incoming, outgoing
}

struct Allocation: Codable, Sendable, Equatable, KnownFields {
    static let fields: Set<String> = ["openItemId", "amountMinor"]
    let openItemId: EntityID
    let amountMinor: Int
}

struct Payment: Codable, Sendable, Equatable {
    let id: EntityID
    let partnerId: EntityID
    let direction: PaymentDirection
    let date: String
    let amountMinor: Int
    let currency: String
    let account: String
    let reference: String?
    let allocations: [Allocation]
    let journalEntryId: EntityID
    let createdBy: EntityID
    let createdAt: Date
}

struct NewJournalEntryRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["date", "description", "lines"]
    let date: String
    let description: String
    let lines: [Strict<ManualLine>]
}

struct ManualLine: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["account", "debitMinor", "creditMinor", "taxCode"]
    let account: String
    let debitMinor: Int?
    let creditMinor: Int?
    let taxCode: String?
}

/// Postings that are not business transactions: payments and manual journal entries.
struct LedgerPostings: Sendable {
    let database: any SQLDatabase
    let tenantSetup: TenantSetup
    static let moneyAccounts: Set<String> = [SKR03.Posting.bank, SKR03.Posting.cash]
    static let maximumAmountMinor = 1_000_000_000_000_00

    /// Records a payment and clears open items with it, partially or fully.
    func record(_ request: NewPaymentRequest, tenant: TenantID, actor: EntityID, trace: TraceContext?, key: IdempotencyKey?) async throws -> StoredResponse {
        let account = request.account ?? SKR03.Posting.bank
        var findings = Check.date(request.date, "date", required: true) + Check.text(request.reference, "reference", length: 1...100, required: false)
        if !(1...Self.maximumAmountMinor).contains(request.amountMinor) { findings.append(InvalidParam(name: "amountMinor", reason: "1 to \(Self.maximumAmountMinor) cents")) }
        if let currency = request.currency, currency != "EUR" { findings.append(InvalidParam(name: "currency", reason: "only EUR is supported")) }
        if !Self.moneyAccounts.contains(account) { findings.append(InvalidParam(name: "account", reason: "1200 (bank) or 1000 (cash)")) }
        for (index, allocation) in (request.allocations ?? []).enumerated() where allocation.value.amountMinor <= 0 {
            findings.append(InvalidParam(name: "allocations[\(index)].amountMinor", reason: "greater than 0"))
        }
        try Check.fail(findings)
        try await tenantSetup.ensure(tenant)
        do {
            return try await database.write { tx in
                let writer = PostingWriter(tx, tenant: tenant)
                let kind: OpenItemKind = request.direction == .incoming ? .receivable : .payable
                let open = try tx.query(
                    """
                    SELECT id, amount_minor - paid_minor AS open FROM open_items
                    WHERE tenant_id = ? AND partner_id = ? AND kind = ? AND paid_minor < amount_minor ORDER BY due_date, id
                    """,
                    [.text(tenant.description), .text(request.partnerId.description), .text(kind.rawValue)]
                ).compactMap { row in row["id"].string.flatMap(EntityID.init).map { ($0, row["open"].integer ?? 0) } }
                let allocations = try Self.allocate(request, open: open)
                var reasons: [InvalidParam] = []
                if try writer.periodStatus(of: request.date) != .open {
                    reasons.append(InvalidParam(name: "date", reason: "the fiscal period \(request.date.prefix(7)) is not open"))
                }
                guard reasons.isEmpty else { throw PostingRejection(reasons: reasons) }
                for allocation in allocations {
                    try tx.execute(
                        "UPDATE open_items SET paid_minor = paid_minor + ? WHERE tenant_id = ? AND id = ?",
                        [.integer(allocation.amountMinor), .text(tenant.description), .text(allocation.openItemId.description)])
                }
                var journal = JournalBuilder(partnerId: request.partnerId)
                if request.direction == .incoming {
                    journal.debit(account, request.amountMinor)
                    journal.credit(SKR03.Posting.receivables, request.amountMinor)
                } else {
                    journal.debit(SKR03.Posting.payables, request.amountMinor)
                    journal.credit(account, request.amountMinor)
                }
                let entry = try writer.book(
                    journal.lines(), date: request.date, description: "payment \(request.direction.rawValue) \(request.reference ?? "")",
                    source: "payment", transactionID: nil, reverses: nil, actor: actor)
                let payment = Payment(
                    id: .generate(), partnerId: request.partnerId, direction: request.direction, date: request.date,
                    amountMinor: request.amountMinor, currency: "EUR", account: account, reference: request.reference,
                    allocations: allocations, journalEntryId: entry.id, createdBy: actor, createdAt: Date.nowInWholeSeconds)
                try tx.execute(
                    """
                    INSERT INTO payments (tenant_id, id, partner_id, direction, date, amount_minor, currency, reference, document, journal_entry_id, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'EUR', ?, ?, ?, ?, ?)
                    """,
                    [.text(tenant.description), .text(payment.id.description), .text(payment.partnerId.description),
                     .text(payment.direction.rawValue), .text(payment.date), .integer(payment.amountMinor),
                     payment.reference.map { .text($0) } ?? .null, try Documents.encode(payment),
                     .text(entry.id.description), .text(actor.description), .text(RFC3339.string(from: payment.createdAt))])
                try Outbox.append([
                    TransactionEvents.make(
                        "payment.recorded", tenant: tenant, subject: payment.id, trace: trace,
                        fields: ["actor": .string(actor.description), "partnerId": .string(payment.partnerId.description), "direction": .string(payment.direction.rawValue),
                                 "amountMinor": .number(Double(payment.amountMinor)), "date": .string(payment.date),
                                 "journalEntryId": .string(entry.id.description)]),
                    TransactionEvents.journalEntryPosted(entry, tenant: tenant, trace: trace),
                ], in: tx)
                let response = try StoredResponse(status: .created, payment)
                if let key { try IdempotencyKeys.record(key, response, in: tx) }
                return response
            }
        } catch let rejection as PostingRejection {
            throw rejection.problem
        }
    }

    /// The allocations asked for, checked against what is open; or the oldest due first.
    static func allocate(_ request: NewPaymentRequest, open: [(EntityID, Int)]) throws(PostingRejection) -> [Allocation] {
        let openByID = Dictionary(open, uniquingKeysWith: { first, _ in first })
        if let requested = request.allocations?.map(\.value) {
            var reasons: [InvalidParam] = []
            for (index, allocation) in requested.enumerated() {
                guard let remaining = openByID[allocation.openItemId] else {
                    reasons.append(InvalidParam(name: "allocations[\(index)].openItemId", reason: "no open item of this partner in this direction"))
                    continue
                }
                if allocation.amountMinor > remaining {
                    reasons.append(InvalidParam(name: "allocations[\(index)].amountMinor", reason: "only \(remaining) cents are open"))
                }
            }
            if Set(requested.map(\.openItemId)).count != requested.count {
                reasons.append(InvalidParam(name: "allocations", reason: "each open item at most once"))
            }
            if requested.reduce(0, { $0 + $1.amountMinor }) != request.amountMinor {
                reasons.append(InvalidParam(name: "allocations", reason: "the allocations must add up to amountMinor"))
            }
            guard reasons.isEmpty else { throw PostingRejection(reasons: reasons) }
            return requested
        }
        var remaining = request.amountMinor
        var allocations: [Allocation] = []
        for (id, amount) in open where remaining > 0 && amount > 0 {
            let share = min(amount, remaining)
            allocations.append(Allocation(openItemId: id, amountMinor: share))
            remaining -= share
        }
        guard remaining == 0 else {
            throw PostingRejection(reasons: [InvalidParam(
                name: "amountMinor", reason: "exceeds the partner's open items by \(remaining) cents")])
        }
        return allocations
    }

    /// Books a manual journal entry after checking it balances and names known accounts.
    func book(_ request: NewJournalEntryRequest, tenant: TenantID, actor: EntityID, trace: TraceContext?, key: IdempotencyKey?) async throws -> StoredResponse {
        var findings = Check.date(request.date, "date", required: true) + Check.text(request.description, "description", length: 1...500)
        if !(2...200).contains(request.lines.count) { findings.append(InvalidParam(name: "lines", reason: "2 to 200 lines")) }
        var lines: [JournalLine] = []
        for (index, wrapped) in request.lines.enumerated() {
            let line = wrapped.value
            let name = "lines[\(index)]"
            let debit = line.debitMinor ?? 0
            let credit = line.creditMinor ?? 0
            if !SKR03.accountNumbers.contains(line.account) { findings.append(InvalidParam(name: "\(name).account", reason: "not in the chart of accounts")) }
            if (debit > 0) == (credit > 0) || debit < 0 || credit < 0 || max(debit, credit) > Self.maximumAmountMinor {
                findings.append(InvalidParam(name: name, reason: "exactly one of debitMinor and creditMinor, greater than 0"))
            }
            if let code = line.taxCode { findings += Check.taxCode(code, "\(name).taxCode") }
            lines.append(JournalLine(account: line.account, debitMinor: max(debit, 0), creditMinor: max(credit, 0), taxCode: line.taxCode, partnerId: nil))
        }
        try Check.fail(findings)
        if !lines.isBalanced { try Check.refuse([InvalidParam(name: "lines", reason: "debits and credits must be equal")]) }
        try await tenantSetup.ensure(tenant)
        do {
            return try await database.write { [lines] tx in
                let writer = PostingWriter(tx, tenant: tenant)
                if try writer.periodStatus(of: request.date) != .open {
                    throw PostingRejection(reasons: [InvalidParam(name: "date", reason: "the fiscal period \(request.date.prefix(7)) is not open")])
                }
                let entry = try writer.book(lines, date: request.date, description: request.description, source: "manual", transactionID: nil, reverses: nil, actor: actor)
                try Outbox.append([TransactionEvents.journalEntryPosted(entry, tenant: tenant, trace: trace)], in: tx)
                let response = try StoredResponse(status: .created, entry)
                if let key { try IdempotencyKeys.record(key, response, in: tx) }
                return response
            }
        } catch let rejection as PostingRejection {
            throw rejection.problem
        }
    }
}
