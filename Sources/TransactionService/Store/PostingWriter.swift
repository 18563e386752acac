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
    /// asked for together (one round trip to a database server) where the group's earlier
    /// postings have not read or changed them already.
    func load(into context: inout PostingContext, for transaction: BusinessTransaction) throws {
        let keys = Set(transaction.items.flatMap { item in
            [item.locationId, item.toLocationId].compactMap { $0 }.map {
                StockKey(articleId: item.articleId, batchId: item.batchId, locationId: $0)
            }
        })
        let articles = Set(transaction.items.map(\.articleId))
        let (year, month) = Self.period(of: transaction.date)
        let period = LedgerGroupState.TenantPeriod(tenant: tenant, year: year, month: month)
        let counter = LedgerGroupState.TenantYear(tenant: tenant, year: year)
        let known = try withState { $0 }
        let missingKeys = keys.filter { known.stock[.init(tenant: tenant, key: $0)] == nil }
        let missingArticles = articles.filter { known.valuations[.init(tenant: tenant, article: $0)] == nil }
        var statements: [SQLStatement] = []
        func ask(_ statement: SQLStatement) -> Int {
            statements.append(statement)
            return statements.count - 1
        }
        var periodAnswer: Int?
        if known.periods[period] == nil {
            try recordOpenPeriod(of: transaction.date)
            periodAnswer = ask(periodStatement(of: transaction.date))
        }
        let stockArticles = Set(missingKeys.map(\.articleId)).map { DatabaseValue.text($0.description) }
        let stockAnswer = stockArticles.isEmpty ? nil : ask(SQLStatement(
            "SELECT article_id, batch_id, location_id, quantity_milli FROM stock_levels WHERE tenant_id = ? AND article_id IN (\(Self.marks(stockArticles.count)))",
            [tenantValue] + stockArticles))
        let valuationAnswer = missingArticles.isEmpty ? nil : ask(SQLStatement(
            "SELECT article_id, quantity_milli, value_minor FROM article_valuations WHERE tenant_id = ? AND article_id IN (\(Self.marks(missingArticles.count)))",
            [tenantValue] + missingArticles.map { .text($0.description) }))
        // The entry the posting books takes the year's next number: asked for in the same round trip.
        let counterAnswer = known.lastNumbers[counter] != nil ? nil : ask(lastNumberStatement(of: year))
        var creditAnswer: Int?
        if transaction.kind == .sale, context.partner?.creditLimitMinor != nil, let partner = context.partner {
            creditAnswer = ask(SQLStatement(
                "SELECT COALESCE(SUM(amount_minor - paid_minor), 0) AS open FROM open_items WHERE tenant_id = ? AND partner_id = ? AND kind = 'receivable'",
                [tenantValue, .text(partner.id.description)]))
        }
        let answers = statements.isEmpty ? [] : try tx.queries(statements)
        let state = try withState { state in
            if let periodAnswer { state.periods[period] = Self.periodStatus(answers[periodAnswer]) }
            for key in missingKeys { state.stock[.init(tenant: tenant, key: key)] = 0 }
            for row in stockAnswer.map({ answers[$0] }) ?? [] {
                guard let article = row["article_id"].string.flatMap(EntityID.init), let batch = row["batch_id"].string.flatMap(EntityID.init),
                    let location = row["location_id"].string.flatMap(EntityID.init)
                else { continue }
                let key = StockKey(articleId: article, batchId: batch, locationId: location)
                if missingKeys.contains(key) { state.stock[.init(tenant: tenant, key: key)] = try row.requireInt("quantity_milli") }
            }
            for article in missingArticles { state.valuations[.init(tenant: tenant, article: article)] = .empty }
            for row in valuationAnswer.map({ answers[$0] }) ?? [] {
                guard let article = row["article_id"].string.flatMap(EntityID.init) else { continue }
                state.valuations[.init(tenant: tenant, article: article)] = Valuation(
                    quantityMilli: try row.requireInt("quantity_milli"), valueMinor: try row.requireInt("value_minor"))
            }
            if let counterAnswer { state.lastNumbers[counter] = answers[counterAnswer].first?["last_number"].integer ?? 0 }
            return state
        }
        context.periodStatus = state.periods[period] ?? .locked
        for key in keys { context.stock[key] = state.stock[.init(tenant: tenant, key: key)] ?? 0 }
        for article in articles { context.valuations[article] = state.valuations[.init(tenant: tenant, article: article)] ?? .empty }
        if let creditAnswer { context.openReceivablesMinor = answers[creditAnswer].first?["open"].integer ?? 0 }
    }

    func stockLevel(_ key: StockKey) throws -> Int {
        let row = LedgerGroupState.TenantStock(tenant: tenant, key: key)
        if let known = try withState({ $0.stock[row] }) { return known }
        let level = try tx.query(
            "SELECT quantity_milli FROM stock_levels WHERE tenant_id = ? AND article_id = ? AND batch_id = ? AND location_id = ?",
            [tenantValue, .text(key.articleId.description), .text(key.batchId.description), .text(key.locationId.description)]
        ).first?["quantity_milli"].integer ?? 0
        try withState { $0.stock[row] = level }
        return level
    }

    func valuation(of article: EntityID) throws -> Valuation {
        let row = LedgerGroupState.TenantArticle(tenant: tenant, article: article)
        if let known = try withState({ $0.valuations[row] }) { return known }
        let valuation = try tx.query(
            "SELECT quantity_milli, value_minor FROM article_valuations WHERE tenant_id = ? AND article_id = ?",
            [tenantValue, .text(article.description)]
        ).first.map { Valuation(quantityMilli: try $0.requireInt("quantity_milli"), valueMinor: try $0.requireInt("value_minor")) } ?? .empty
        try withState { $0.valuations[row] = valuation }
        return valuation
    }

    /// The period's status; a period nobody touched yet is open, and is recorded as such.
    func periodStatus(of date: String) throws -> FiscalPeriodStatus {
        let (year, month) = Self.period(of: date)
        let period = LedgerGroupState.TenantPeriod(tenant: tenant, year: year, month: month)
        if let known = try withState({ $0.periods[period] }) { return known }
        try recordOpenPeriod(of: date)
        let statement = periodStatement(of: date)
        let status = Self.periodStatus(try tx.query(statement.sql, statement.binds))
        try withState { $0.periods[period] = status }
        return status
    }

    /// Sets a period's status (the period exists: `periodStatus` recorded it).
    func setPeriodStatus(of date: String, to status: FiscalPeriodStatus, at time: Date) throws {
        let (year, month) = Self.period(of: date)
        try tx.execute(
            "UPDATE fiscal_periods SET status = ?, changed_at = ? WHERE tenant_id = ? AND year = ? AND month = ?",
            [.text(status.rawValue), .text(RFC3339.string(from: time)), tenantValue, .integer(year), .integer(month)])
        try withState { $0.periods[.init(tenant: tenant, year: year, month: month)] = status }
    }

    /// Reads or changes the ledger rows the group's writes share. Outside a group (no write runs
    /// so today) the changes are written at once.
    private func withState<Result>(_ change: (inout LedgerGroupState) throws -> Result) throws -> Result {
        if let group = tx.writeGroup { return try group.update(LedgerGroupState.self, change) }
        var state = LedgerGroupState()
        let result = try change(&state)
        try state.writeDeferred(on: tx)
        return result
    }

    /// Records a period nobody touched yet as open (the statement waits for no answer).
    private func recordOpenPeriod(of date: String) throws {
        let (year, month) = Self.period(of: date)
        try tx.execute(
            "INSERT INTO fiscal_periods (tenant_id, year, month, status, changed_at) VALUES (?, ?, ?, 'open', ?) ON CONFLICT (tenant_id, year, month) DO NOTHING",
            [tenantValue, .integer(year), .integer(month), .text(RFC3339.now())])
    }

    private func lastNumberStatement(of year: Int) -> SQLStatement {
        SQLStatement("SELECT last_number FROM posting_sequences WHERE tenant_id = ? AND fiscal_year = ?", [tenantValue, .integer(year)])
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
        // Stock and valuations are written once for the group, at its end.
        try withState { state in
            for key in Set(result.movements.map(\.key)) {
                let row = LedgerGroupState.TenantStock(tenant: tenant, key: key)
                state.stock[row] = result.stock[key] ?? 0
                state.changedStock.insert(row)
            }
            for article in Set(result.movements.map(\.key.articleId)) {
                let row = LedgerGroupState.TenantArticle(tenant: tenant, article: article)
                state.valuations[row] = result.valuations[article] ?? .empty
                state.changedValuations.insert(row)
            }
        }
    }

    /// Books a balanced entry under the next gapless number of its fiscal year.
    func book(
        _ lines: [JournalLine], date: String, description: String, source: String, transactionID: EntityID?,
        reverses: EntityID?, actor: EntityID
    ) throws -> JournalEntry {
        precondition(lines.isBalanced && !lines.isEmpty, "only balanced entries are booked")
        let year = Self.period(of: date).year
        // The counter moves inside this transaction: a rolled-back posting gives its number back.
        let counter = LedgerGroupState.TenantYear(tenant: tenant, year: year)
        let read = lastNumberStatement(of: year)
        let last = try withState { $0.lastNumbers[counter] } ?? tx.query(read.sql, read.binds).first?["last_number"].integer ?? 0
        let number = last + 1
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
        // The number and the balances are written once for the group, at its end.
        try withState { state in
            state.lastNumbers[counter] = number
            state.changedNumbers.insert(counter)
            for line in lines {
                let account = LedgerGroupState.TenantAccount(tenant: tenant, year: year, account: line.account)
                state.balanceChanges[account, default: .init()].debit += line.debitMinor
                state.balanceChanges[account, default: .init()].credit += line.creditMinor
            }
        }
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
