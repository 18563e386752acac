import ERPKernel
import Platform

/// The ledger's rows that the postings of one group commit share: stock levels, valuations,
/// period states, the entry counters and the account balances. Each is read from the database
/// at most once per group; the first four are written once per group and the balances get one
/// addition per account, before COMMIT (`WriteGroup`). Inside a write, every read of these rows
/// goes through `PostingWriter`, which asks this state first.
struct LedgerGroupState: GroupState {
    struct TenantStock: Hashable, Sendable {
        let tenant: TenantID
        let key: StockKey
    }

    struct TenantArticle: Hashable, Sendable {
        let tenant: TenantID
        let article: EntityID
    }

    struct TenantYear: Hashable, Sendable {
        let tenant: TenantID
        let year: Int
    }

    struct TenantPeriod: Hashable, Sendable {
        let tenant: TenantID
        let year: Int
        let month: Int
    }

    struct TenantAccount: Hashable, Sendable {
        let tenant: TenantID
        let year: Int
        let account: String
    }

    struct Sums: Sendable {
        var debit = 0
        var credit = 0
    }

    var stock: [TenantStock: Int] = [:]
    var changedStock: Set<TenantStock> = []
    var valuations: [TenantArticle: Valuation] = [:]
    var changedValuations: Set<TenantArticle> = []
    /// The last entry number taken in each fiscal year.
    var lastNumbers: [TenantYear: Int] = [:]
    var changedNumbers: Set<TenantYear> = []
    /// Read or set in this group; an open period a posting recorded is in the database already.
    var periods: [TenantPeriod: FiscalPeriodStatus] = [:]
    /// Added up over the group's entries, added to the stored balances at its end.
    var balanceChanges: [TenantAccount: Sums] = [:]

    /// Rows per statement: the widest row has five values.
    static let rowsPerStatement = 500

    func writeDeferred(on tx: any SQLExecutor) throws {
        // Sorted, so writers on a server lock the rows in one order.
        try upsert(
            changedStock.sorted { ($0.tenant.description, $0.key.articleId.description, $0.key.batchId.description, $0.key.locationId.description)
                < ($1.tenant.description, $1.key.articleId.description, $1.key.batchId.description, $1.key.locationId.description) },
            into: "stock_levels (tenant_id, article_id, batch_id, location_id, quantity_milli)", columns: 5,
            conflict: "(tenant_id, article_id, batch_id, location_id) DO UPDATE SET quantity_milli = excluded.quantity_milli", on: tx
        ) { row in
            [.text(row.tenant.description), .text(row.key.articleId.description), .text(row.key.batchId.description),
             .text(row.key.locationId.description), .integer(stock[row] ?? 0)]
        }
        try upsert(
            changedValuations.sorted { ($0.tenant.description, $0.article.description) < ($1.tenant.description, $1.article.description) },
            into: "article_valuations (tenant_id, article_id, quantity_milli, value_minor)", columns: 4,
            conflict: "(tenant_id, article_id) DO UPDATE SET quantity_milli = excluded.quantity_milli, value_minor = excluded.value_minor", on: tx
        ) { row in
            let valuation = valuations[row] ?? .empty
            return [.text(row.tenant.description), .text(row.article.description), .integer(valuation.quantityMilli), .integer(valuation.valueMinor)]
        }
        try upsert(
            changedNumbers.sorted { ($0.tenant.description, $0.year) < ($1.tenant.description, $1.year) },
            into: "posting_sequences (tenant_id, fiscal_year, last_number)", columns: 3,
            conflict: "(tenant_id, fiscal_year) DO UPDATE SET last_number = excluded.last_number", on: tx
        ) { row in [.text(row.tenant.description), .integer(row.year), .integer(lastNumbers[row] ?? 0)] }
        try upsert(
            balanceChanges.keys.sorted { ($0.tenant.description, $0.year, $0.account) < ($1.tenant.description, $1.year, $1.account) },
            into: "account_balances (tenant_id, fiscal_year, account, debit_minor, credit_minor)", columns: 5,
            conflict: """
                (tenant_id, fiscal_year, account) DO UPDATE SET debit_minor = account_balances.debit_minor + excluded.debit_minor,
                    credit_minor = account_balances.credit_minor + excluded.credit_minor
                """, on: tx
        ) { row in
            let sums = balanceChanges[row] ?? Sums()
            return [.text(row.tenant.description), .integer(row.year), .text(row.account), .integer(sums.debit), .integer(sums.credit)]
        }
    }

    private func upsert<Row>(
        _ rows: [Row], into table: String, columns: Int, conflict: String, on tx: any SQLExecutor, values: (Row) -> [DatabaseValue]
    ) throws {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
            try tx.execute(
                "INSERT INTO \(table) VALUES \(PostingWriter.rowMarks(chunk.count, columns: columns)) ON CONFLICT \(conflict)",
                chunk.flatMap(values))
            start += chunk.count
        }
    }
}
