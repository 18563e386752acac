import ERPKernel
import Foundation
import Platform
import ServiceRuntime

/// The writes of one posting, run inside the writer's transaction: reads the state the engine
/// needs (stock, valuations, the period), runs it, and stores every effect with its events.
struct PostingWriter {
    let tx: any SQLExecutor
    let tenant: TenantID
    private var tenantValue: DatabaseValue { .text(tenant.description) }

    init(_ tx: any SQLExecutor, tenant: TenantID) {
        self.tx = tx
        self.tenant = tenant
    }

    // MARK: - Reading state

    /// Completes a context holding master data with the current stock, valuations and period,
    /// asked for together (one round trip to a database server).
    func load(into context: inout PostingContext, for transaction: BusinessTransaction) throws {
        let keys = Set(transaction.items.flatMap { item in
            [item.locationId, item.toLocationId].compactMap { $0 }.map {
                StockKey(articleId: item.articleId, batchId: item.batchId, locationId: $0)
            }
        })
        let articles = Set(transaction.items.map(\.articleId))
        let articleValues = articles.map { DatabaseValue.text($0.description) }
        var statements = [
            periodStatement(of: transaction.date),
            SQLStatement(
                "SELECT article_id, batch_id, location_id, quantity_milli FROM stock_levels WHERE tenant_id = ? AND article_id IN (\(Self.marks(articles.count)))",
                [tenantValue] + articleValues),
            SQLStatement(
                "SELECT article_id, quantity_milli, value_minor FROM article_valuations WHERE tenant_id = ? AND article_id IN (\(Self.marks(articles.count)))",
                [tenantValue] + articleValues),
        ]
        let checksCredit = transaction.kind == .sale && context.partner?.creditLimitMinor != nil
        if checksCredit, let partner = context.partner {
            statements.append(SQLStatement(
                "SELECT COALESCE(SUM(amount_minor - paid_minor), 0) AS open FROM open_items WHERE tenant_id = ? AND partner_id = ? AND kind = 'receivable'",
                [tenantValue, .text(partner.id.description)]))
        }
        try recordOpenPeriod(of: transaction.date)
        let answers = try tx.queries(statements)
        context.periodStatus = Self.periodStatus(answers[0])
        for key in keys { context.stock[key] = 0 }
        for row in answers[1] {
            guard let article = row["article_id"].string.flatMap(EntityID.init), let batch = row["batch_id"].string.flatMap(EntityID.init),
                let location = row["location_id"].string.flatMap(EntityID.init)
            else { continue }
            let key = StockKey(articleId: article, batchId: batch, locationId: location)
            if keys.contains(key) { context.stock[key] = try row.requireInt("quantity_milli") }
        }
        for article in articles { context.valuations[article] = .empty }
        for row in answers[2] {
            guard let article = row["article_id"].string.flatMap(EntityID.init) else { continue }
            context.valuations[article] = Valuation(quantityMilli: try row.requireInt("quantity_milli"), valueMinor: try row.requireInt("value_minor"))
        }
        if checksCredit { context.openReceivablesMinor = answers[3].first?["open"].integer ?? 0 }
    }

    func stockLevel(_ key: StockKey) throws -> Int {
        try tx.query(
            "SELECT quantity_milli FROM stock_levels WHERE tenant_id = ? AND article_id = ? AND batch_id = ? AND location_id = ?",
            [tenantValue, .text(key.articleId.description), .text(key.batchId.description), .text(key.locationId.description)]
        ).first?["quantity_milli"].integer ?? 0
    }

    func valuation(of article: EntityID) throws -> Valuation {
        guard let row = try tx.query(
            "SELECT quantity_milli, value_minor FROM article_valuations WHERE tenant_id = ? AND article_id = ?",
            [tenantValue, .text(article.description)]
        ).first else { return .empty }
        return Valuation(quantityMilli: try row.requireInt("quantity_milli"), valueMinor: try row.requireInt("value_minor"))
    }

    /// The period's status; a period nobody touched yet is open, and is recorded as such.
    func periodStatus(of date: String) throws -> FiscalPeriodStatus {
        try recordOpenPeriod(of: date)
        let statement = periodStatement(of: date)
        return Self.periodStatus(try tx.query(statement.sql, statement.binds))
    }

    /// Records a period nobody touched yet as open (the statement waits for no answer).
    private func recordOpenPeriod(of date: String) throws {
        let (year, month) = Self.period(of: date)
        try tx.execute(
            "INSERT INTO fiscal_periods (tenant_id, year, month, status, changed_at) VALUES (?, ?, ?, 'open', ?) ON CONFLICT (tenant_id, year, month) DO NOTHING",
            [tenantValue, .integer(year), .integer(month), .text(RFC3339.now())])
    }

    private func periodStatement(of date: String) -> SQLStatement {
        let (year, month) = Self.period(of: date)
        return SQLStatement("SELECT status FROM fiscal_periods WHERE tenant_id = ? AND year = ? AND month = ?", [tenantValue, .integer(year), .integer(month)])
    }

    private static func periodStatus(_ rows: [DatabaseRow]) -> FiscalPeriodStatus {
        rows.first?["status"].string.flatMap(FiscalPeriodStatus.init(rawValue:)) ?? .locked
    }

    /// `count` rows of `columns` marks each, for a multi-row VALUES list.
    static func rowMarks(_ count: Int, columns: Int) -> String {
        let row = "(\(marks(columns)))"
        return Array(repeating: row, count: count).joined(separator: ", ")
    }

    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    static func period(of date: String) -> (year: Int, month: Int) {
        (Int(date.prefix(4)) ?? 0, Int(date.dropFirst(5).prefix(2)) ?? 0)
    }

    // MARK: - Writing effects

    /// Stores what the engine decided for `transaction`: one statement per table, however many
    /// items it has.
    func apply(_ result: PostingResult, of transaction: BusinessTransaction, date: String) throws {
        guard !result.movements.isEmpty else { return }
        let id = DatabaseValue.text(transaction.id.description)
        try tx.execute(
            """
            INSERT INTO stock_movements (tenant_id, transaction_id, line, article_id, batch_id, location_id, quantity_milli, value_minor, date)
            VALUES \(Self.rowMarks(result.movements.count, columns: 9))
            """,
            result.movements.flatMap { movement -> [DatabaseValue] in
                [tenantValue, id, .integer(movement.line), .text(movement.key.articleId.description),
                 .text(movement.key.batchId.description), .text(movement.key.locationId.description),
                 .integer(movement.quantityMilli), .integer(movement.valueMinor), .text(date)]
            })
        // Sorted, so concurrent writers on a server would lock the rows in one order.
        let keys = Set(result.movements.map(\.key)).sorted {
            ($0.articleId.description, $0.batchId.description, $0.locationId.description) < ($1.articleId.description, $1.batchId.description, $1.locationId.description)
        }
        try tx.execute(
            """
            INSERT INTO stock_levels (tenant_id, article_id, batch_id, location_id, quantity_milli) VALUES \(Self.rowMarks(keys.count, columns: 5))
            ON CONFLICT (tenant_id, article_id, batch_id, location_id) DO UPDATE SET quantity_milli = excluded.quantity_milli
            """,
            keys.flatMap { key -> [DatabaseValue] in
                [tenantValue, .text(key.articleId.description), .text(key.batchId.description), .text(key.locationId.description),
                 .integer(result.stock[key] ?? 0)]
            })
        let articles = Set(result.movements.map(\.key.articleId)).sorted { $0.description < $1.description }
        try tx.execute(
            """
            INSERT INTO article_valuations (tenant_id, article_id, quantity_milli, value_minor) VALUES \(Self.rowMarks(articles.count, columns: 4))
            ON CONFLICT (tenant_id, article_id) DO UPDATE SET quantity_milli = excluded.quantity_milli, value_minor = excluded.value_minor
            """,
            articles.flatMap { article -> [DatabaseValue] in
                let valuation = result.valuations[article] ?? .empty
                return [tenantValue, .text(article.description), .integer(valuation.quantityMilli), .integer(valuation.valueMinor)]
            })
    }

    /// Books a balanced entry under the next gapless number of its fiscal year.
    func book(
        _ lines: [JournalLine], date: String, description: String, source: String, transactionID: EntityID?,
        reverses: EntityID?, actor: EntityID
    ) throws -> JournalEntry {
        precondition(lines.isBalanced && !lines.isEmpty, "only balanced entries are booked")
        let year = Self.period(of: date).year
        // The counter moves inside this transaction: a rolled-back posting gives its number back.
        let number = try tx.query(
            """
            INSERT INTO posting_sequences (tenant_id, fiscal_year, last_number) VALUES (?, ?, 1)
            ON CONFLICT (tenant_id, fiscal_year) DO UPDATE SET last_number = posting_sequences.last_number + 1 RETURNING last_number
            """,
            [tenantValue, .integer(year)]
        ).first?["last_number"].integer ?? 0
        let entry = JournalEntry(
            id: .generate(), fiscalYear: year, number: number, date: date, description: description, source: source,
            transactionId: transactionID, reversesId: reverses, lines: lines, createdBy: actor, createdAt: Date.nowInWholeSeconds)
        try tx.execute(
            """
            INSERT INTO journal_entries (tenant_id, id, fiscal_year, number, date, description, source, transaction_id, reverses_id, created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [tenantValue, .text(entry.id.description), .integer(year), .integer(number), .text(date), .text(description),
             .text(source), transactionID.map { .text($0.description) } ?? .null, reverses.map { .text($0.description) } ?? .null,
             .text(actor.description), .text(RFC3339.string(from: entry.createdAt))])
        let entryValue = DatabaseValue.text(entry.id.description)
        try tx.execute(
            """
            INSERT INTO journal_lines (tenant_id, entry_id, line, account, debit_minor, credit_minor, tax_code, partner_id)
            VALUES \(Self.rowMarks(lines.count, columns: 8))
            """,
            lines.enumerated().flatMap { index, line -> [DatabaseValue] in
                [tenantValue, entryValue, .integer(index + 1), .text(line.account), .integer(line.debitMinor), .integer(line.creditMinor),
                 line.taxCode.map { .text($0) } ?? .null, line.partnerId.map { .text($0.description) } ?? .null]
            })
        // One balance row per account, however many lines name it (a sale of several items books
        // revenue, cost of goods and inventory once per item).
        var sums: [String: (debit: Int, credit: Int)] = [:]
        for line in lines {
            sums[line.account, default: (0, 0)].debit += line.debitMinor
            sums[line.account, default: (0, 0)].credit += line.creditMinor
        }
        try tx.execute(
            """
            INSERT INTO account_balances (tenant_id, fiscal_year, account, debit_minor, credit_minor) VALUES \(Self.rowMarks(sums.count, columns: 5))
            ON CONFLICT (tenant_id, fiscal_year, account) DO UPDATE SET
                debit_minor = account_balances.debit_minor + excluded.debit_minor, credit_minor = account_balances.credit_minor + excluded.credit_minor
            """,
            sums.sorted { $0.key < $1.key }.flatMap { account, sum -> [DatabaseValue] in
                [tenantValue, .integer(year), .text(account), .integer(sum.debit), .integer(sum.credit)]
            })
        return entry
    }

    func insertOpenItem(_ item: OpenItem) throws {
        try tx.execute(
            """
            INSERT INTO open_items (tenant_id, id, partner_id, kind, transaction_id, document_date, due_date, currency, amount_minor, paid_minor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [tenantValue, .text(item.id.description), .text(item.partnerId.description), .text(item.kind.rawValue),
             .text(item.transactionId.description), .text(item.documentDate), .text(item.dueDate), .text(item.currency),
             .integer(item.amountMinor), .integer(item.paidMinor)])
    }

    /// Inserts or replaces the transaction row (its columns and its document); `document` is its
    /// JSON when the caller encoded it already (for the response too).
    func save(_ transaction: BusinessTransaction, document: Data? = nil) throws {
        try tx.execute(
            """
            INSERT INTO transactions (tenant_id, id, kind, status, partner_id, date, reference, currency, net_minor, tax_minor,
                gross_minor, journal_entry_id, reverses_id, reversed_by_id, rejections, document, created_by, created_at, posted_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, net_minor = excluded.net_minor,
                tax_minor = excluded.tax_minor, gross_minor = excluded.gross_minor, journal_entry_id = excluded.journal_entry_id,
                reversed_by_id = excluded.reversed_by_id, rejections = excluded.rejections, document = excluded.document,
                posted_at = excluded.posted_at
            """,
            [tenantValue, .text(transaction.id.description), .text(transaction.kind.rawValue), .text(transaction.status.rawValue),
             transaction.partnerId.map { .text($0.description) } ?? .null, .text(transaction.date),
             transaction.reference.map { .text($0) } ?? .null, .text(transaction.currency),
             .integer(transaction.totals.netMinor), .integer(transaction.totals.taxMinor), .integer(transaction.totals.grossMinor),
             transaction.journalEntryId.map { .text($0.description) } ?? .null,
             transaction.reversesId.map { .text($0.description) } ?? .null,
             transaction.reversedById.map { .text($0.description) } ?? .null,
             try transaction.rejections.map { try Documents.encode($0) } ?? .null,
             .text(String(decoding: document ?? transaction.jsonDocument, as: UTF8.self)), .text(transaction.createdBy.description),
             .text(RFC3339.string(from: transaction.createdAt)), transaction.postedAt.map { .text(RFC3339.string(from: $0)) } ?? .null])
    }

    func transaction(_ id: EntityID) throws -> BusinessTransaction? {
        try tx.query("SELECT document FROM transactions WHERE tenant_id = ? AND id = ?", [tenantValue, .text(id.description)])
            .first.map { try Documents.decode(BusinessTransaction.self, from: $0) }
    }

    func movements(of transaction: EntityID) throws -> [StockMovement] {
        try tx.query(
            "SELECT line, article_id, batch_id, location_id, quantity_milli, value_minor FROM stock_movements WHERE tenant_id = ? AND transaction_id = ? ORDER BY line",
            [tenantValue, .text(transaction.description)]
        ).map { row in
            guard let article = EntityID(try row.requireString("article_id")), let batch = EntityID(try row.requireString("batch_id")),
                let location = EntityID(try row.requireString("location_id"))
            else { throw UnreadableRowError(column: "stock_movements.ids") }
            return StockMovement(
                line: try row.requireInt("line"), key: StockKey(articleId: article, batchId: batch, locationId: location),
                quantityMilli: try row.requireInt("quantity_milli"), valueMinor: try row.requireInt("value_minor"))
        }
    }

    func journalLines(of entry: EntityID) throws -> [JournalLine] {
        try tx.query(
            "SELECT account, debit_minor, credit_minor, tax_code, partner_id FROM journal_lines WHERE tenant_id = ? AND entry_id = ? ORDER BY line",
            [tenantValue, .text(entry.description)]
        ).map { row in
            JournalLine(
                account: try row.requireString("account"), debitMinor: try row.requireInt("debit_minor"),
                creditMinor: try row.requireInt("credit_minor"), taxCode: row.optionalString("tax_code"),
                partnerId: row.optionalString("partner_id").flatMap(EntityID.init))
        }
    }
}
