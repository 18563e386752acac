import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// Reads for the API: pages in ID order (IDs are time-ordered), filtered by indexed columns.
struct LedgerQueries: Sendable {
    let database: any SQLDatabase

    struct Filter: Sendable {
        var conditions: [String] = []
        var binds: [DatabaseValue] = []

        mutating func add(_ condition: String, _ value: DatabaseValue?) {
            guard let value else { return }
            conditions.append(condition)
            binds.append(value)
        }

        var sql: String { conditions.map { " AND \($0)" }.joined() }
    }

    /// A page of documents from `table`, decoded from `column`, after `cursor` in ID order.
    func page<T: Decodable & Encodable & Sendable>(
        _ type: T.Type, table: String, column: String = "document", tenant: TenantID, filter: Filter, page: PageRequest
    ) async throws -> Page<T> {
        let rows = try await database.read { reader in
            try reader.query(
                "SELECT id, \(column) AS document FROM \(table) WHERE tenant_id = ? AND id > ?\(filter.sql) ORDER BY id LIMIT ?",
                [.text(tenant.description), .text(page.cursor ?? "")] + filter.binds + [.integer(page.limit + 1)])
        }
        return try Page(rows: rows, limit: page.limit) { try Documents.decode(T.self, from: $0) }
    }

    func transaction(_ id: EntityID, tenant: TenantID) async throws -> BusinessTransaction? {
        try await database.read { try PostingWriter($0, tenant: tenant).transaction(id) }
    }

    func journalEntry(_ id: EntityID, tenant: TenantID) async throws -> JournalEntry? {
        try await database.read { reader in
            guard let row = try reader.query(
                "SELECT * FROM journal_entries WHERE tenant_id = ? AND id = ?", [.text(tenant.description), .text(id.description)]
            ).first else { return nil }
            return try Self.entry(from: row, lines: PostingWriter(reader, tenant: tenant).journalLines(of: id))
        }
    }

    func journalEntries(tenant: TenantID, fiscalYear: Int?, from: String?, to: String?, page: PageRequest) async throws -> Page<JournalEntry> {
        var filter = Filter()
        filter.add("fiscal_year = ?", fiscalYear.map { .integer($0) })
        filter.add("date >= ?", from.map { .text($0) })
        filter.add("date <= ?", to.map { .text($0) })
        return try await database.read { [filter] reader in
            let rows = try reader.query(
                "SELECT * FROM journal_entries WHERE tenant_id = ? AND id > ?\(filter.sql) ORDER BY id LIMIT ?",
                [.text(tenant.description), .text(page.cursor ?? "")] + filter.binds + [.integer(page.limit + 1)])
            let writer = PostingWriter(reader, tenant: tenant)
            return try Page(rows: rows, limit: page.limit) { row in
                guard let id = EntityID(try row.requireString("id")) else { throw UnreadableRowError(column: "journal_entries.id") }
                return try Self.entry(from: row, lines: writer.journalLines(of: id))
            }
        }
    }

    private static func entry(from row: DatabaseRow, lines: [JournalLine]) throws -> JournalEntry {
        guard let id = EntityID(try row.requireString("id")), let actor = EntityID(try row.requireString("created_by")) else {
            throw UnreadableRowError(column: "journal_entries.id")
        }
        return JournalEntry(
            id: id, fiscalYear: try row.requireInt("fiscal_year"), number: try row.requireInt("number"),
            date: try row.requireString("date"), description: try row.requireString("description"), source: try row.requireString("source"),
            transactionId: row.optionalString("transaction_id").flatMap(EntityID.init),
            reversesId: row.optionalString("reverses_id").flatMap(EntityID.init), lines: lines, createdBy: actor,
            createdAt: RFC3339.date(from: try row.requireString("created_at")) ?? Date(timeIntervalSince1970: 0))
    }

    struct TrialBalance: Codable, Sendable {
        struct Row: Codable, Sendable {
            let account: String
            let name: String
            let type: String
            let debitMinor: Int
            let creditMinor: Int
            /// Debit minus credit.
            let balanceMinor: Int
        }
        let fiscalYear: Int
        let accounts: [Row]
        let totalDebitMinor: Int
        let totalCreditMinor: Int
    }

    /// Sums per account from the maintained balances: one row per account, never a scan of lines.
    func trialBalance(tenant: TenantID, fiscalYear: Int) async throws -> TrialBalance {
        let rows = try await database.read { reader in
            try reader.query(
                """
                SELECT b.account, COALESCE(a.name, '') AS name, COALESCE(a.type, '') AS type, b.debit_minor, b.credit_minor
                FROM account_balances b LEFT JOIN accounts a ON a.tenant_id = b.tenant_id AND a.number = b.account
                WHERE b.tenant_id = ? AND b.fiscal_year = ? ORDER BY b.account
                """,
                [.text(tenant.description), .integer(fiscalYear)])
        }
        let accounts = try rows.map { row in
            let debit = try row.requireInt("debit_minor")
            let credit = try row.requireInt("credit_minor")
            return TrialBalance.Row(
                account: try row.requireString("account"), name: row["name"].string ?? "", type: row["type"].string ?? "",
                debitMinor: debit, creditMinor: credit, balanceMinor: debit - credit)
        }
        return TrialBalance(
            fiscalYear: fiscalYear, accounts: accounts, totalDebitMinor: accounts.reduce(0) { $0 + $1.debitMinor },
            totalCreditMinor: accounts.reduce(0) { $0 + $1.creditMinor })
    }

    func accounts(tenant: TenantID) async throws -> [Account] {
        try await database.read { reader in
            try reader.query("SELECT number, name, type FROM accounts WHERE tenant_id = ? ORDER BY number", [.text(tenant.description)]).map {
                Account(number: try $0.requireString("number"), name: try $0.requireString("name"),
                        type: AccountType(rawValue: try $0.requireString("type")) ?? .asset)
            }
        }
    }

    func fiscalPeriods(tenant: TenantID, year: Int?) async throws -> [FiscalPeriod] {
        try await database.read { reader in
            try reader.query(
                "SELECT year, month, status, changed_at FROM fiscal_periods WHERE tenant_id = ? AND (CAST(? AS INTEGER) IS NULL OR year = ?) ORDER BY year, month",
                [.text(tenant.description), year.map { .integer($0) } ?? .null, year.map { .integer($0) } ?? .null]
            ).map { row in
                FiscalPeriod(
                    period: String(format: "%04d-%02d", try row.requireInt("year"), try row.requireInt("month")),
                    status: FiscalPeriodStatus(rawValue: try row.requireString("status")) ?? .locked,
                    changedAt: RFC3339.date(from: try row.requireString("changed_at")) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    func openItems(tenant: TenantID, partner: EntityID?, kind: OpenItemKind?, onlyOpen: Bool, page: PageRequest) async throws -> Page<OpenItem> {
        var filter = Filter()
        filter.add("partner_id = ?", partner.map { .text($0.description) })
        filter.add("kind = ?", kind.map { .text($0.rawValue) })
        if onlyOpen { filter.conditions.append("paid_minor <> amount_minor") }
        return try await database.read { [filter] reader in
            let rows = try reader.query(
                "SELECT * FROM open_items WHERE tenant_id = ? AND id > ?\(filter.sql) ORDER BY id LIMIT ?",
                [.text(tenant.description), .text(page.cursor ?? "")] + filter.binds + [.integer(page.limit + 1)])
            return try Page(rows: rows, limit: page.limit) { row in
                guard let id = EntityID(try row.requireString("id")), let partner = EntityID(try row.requireString("partner_id")),
                    let transaction = EntityID(try row.requireString("transaction_id"))
                else { throw UnreadableRowError(column: "open_items.id") }
                return OpenItem(
                    id: id, partnerId: partner, kind: OpenItemKind(rawValue: try row.requireString("kind")) ?? .receivable,
                    transactionId: transaction, documentDate: try row.requireString("document_date"), dueDate: try row.requireString("due_date"),
                    currency: try row.requireString("currency"), amountMinor: try row.requireInt("amount_minor"), paidMinor: try row.requireInt("paid_minor"))
            }
        }
    }

    struct StockLevel: Codable, Sendable, Equatable {
        let articleId: EntityID
        let batchId: EntityID
        let locationId: EntityID
        let quantity: String
    }

    /// On-hand quantities (non-zero) per article, batch and location.
    func stock(tenant: TenantID, article: EntityID?, batch: EntityID?, location: EntityID?) async throws -> [StockLevel] {
        var filter = Filter()
        filter.add("article_id = ?", article.map { .text($0.description) })
        filter.add("batch_id = ?", batch.map { .text($0.description) })
        filter.add("location_id = ?", location.map { .text($0.description) })
        return try await database.read { [filter] reader in
            try reader.query(
                "SELECT * FROM stock_levels WHERE tenant_id = ? AND quantity_milli > 0\(filter.sql) ORDER BY article_id, batch_id, location_id LIMIT 10000",
                [.text(tenant.description)] + filter.binds
            ).compactMap { row in
                guard let article = row["article_id"].string.flatMap(EntityID.init), let batch = row["batch_id"].string.flatMap(EntityID.init),
                    let location = row["location_id"].string.flatMap(EntityID.init)
                else { return nil }
                return StockLevel(articleId: article, batchId: batch, locationId: location, quantity: Quantity.text(try row.requireInt("quantity_milli")))
            }
        }
    }

    struct StockValue: Codable, Sendable, Equatable {
        let articleId: EntityID
        let quantity: String
        let valueMinor: Int
        /// Moving-average cost per base unit, in ten-thousandths (as unitPrice); `null` without stock.
        let averageUnitCost: String?
    }

    func stockValue(tenant: TenantID) async throws -> [StockValue] {
        try await database.read { reader in
            try reader.query(
                "SELECT article_id, quantity_milli, value_minor FROM article_valuations WHERE tenant_id = ? ORDER BY article_id LIMIT 10000",
                [.text(tenant.description)]
            ).compactMap { row in
                guard let article = row["article_id"].string.flatMap(EntityID.init) else { return nil }
                let quantity = try row.requireInt("quantity_milli")
                let value = try row.requireInt("value_minor")
                // cents per thousandth → ten-thousandths per unit: value × 10^2 × 10^3 / quantity... scaled to 4 decimals.
                let average = quantity > 0 ? UnitPrice.text(proportionalShare(of: value, part: 100_000, whole: quantity)) : nil
                return StockValue(articleId: article, quantity: Quantity.text(quantity), valueMinor: value, averageUnitCost: average)
            }
        }
    }
}
