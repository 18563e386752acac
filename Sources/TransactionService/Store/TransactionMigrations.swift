import Platform

/// The transactions service's tables in the Main DB. Quantities are integers in thousandths of
/// the article's base unit; amounts are integers in cents; dates are ISO `YYYY-MM-DD`.
enum TransactionMigrations {
    static let track = MigrationTrack(
        name: "transactions",
        migrations: [
            Migration(version: 1, name: "master data", statements: masterData),
            Migration(version: 2, name: "transactions, stock, ledger, open items and payments", statements: postings),
            Migration(version: 3, name: "open items by transaction", statements: [openItemsByTransaction]),
            Migration(version: 4, name: "filtered pages in ID order", statements: filteredPages),
        ])

    /// A filtered page is read in ID order from where the cursor left off: without an index that
    /// leads with the filter and ends with the ID, the database walks the tenant's whole table in
    /// ID order to collect a page (a customer's open items took 14 ms among 73,000).
    static let filteredPages = [
        "CREATE INDEX open_items_by_partner_page ON open_items (tenant_id, partner_id, id)",
        "CREATE INDEX payments_by_partner_page ON payments (tenant_id, partner_id, id)",
        "CREATE INDEX batches_by_article_page ON batches (tenant_id, article_id, id)",
        "CREATE INDEX articles_by_category_page ON articles (tenant_id, category, id)",
    ]

    /// Payments and reversals find a transaction's open item by it.
    static let openItemsByTransaction = "CREATE INDEX open_items_by_transaction ON open_items (tenant_id, transaction_id)"

    // Master data keeps each record as its JSON document, beside the columns that constraints
    // and filters need.
    static let masterData = [
        """
        CREATE TABLE articles (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, sku TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL,
            document TEXT NOT NULL, PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, sku))
        """,
        """
        CREATE TABLE batches (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, article_id TEXT NOT NULL, batch_number TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, article_id, batch_number),
            FOREIGN KEY (tenant_id, article_id) REFERENCES articles (tenant_id, id))
        """,
        """
        CREATE TABLE partners (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
        """
        CREATE TABLE warehouses (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, code TEXT NOT NULL, document TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, code))
        """,
        """
        CREATE TABLE storage_locations (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, warehouse_id TEXT NOT NULL, code TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, warehouse_id, code),
            FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id))
        """,
        // The chart of accounts and the tax codes are seeded per tenant on its first use.
        """
        CREATE TABLE accounts (
            tenant_id TEXT NOT NULL, number TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
            PRIMARY KEY (tenant_id, number))
        """,
        """
        CREATE TABLE tax_codes (
            tenant_id TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, rate_basis_points INTEGER NOT NULL,
            kind TEXT NOT NULL, revenue_account TEXT NOT NULL, output_tax_account TEXT, input_tax_account TEXT,
            PRIMARY KEY (tenant_id, code))
        """,
        "CREATE TABLE tenant_setup (tenant_id TEXT PRIMARY KEY, chart TEXT NOT NULL, seeded_at TEXT NOT NULL)",
        """
        CREATE TABLE fiscal_periods (
            tenant_id TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'locked')), changed_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, year, month))
        """,
    ]

    static let postings = [
        """
        CREATE TABLE transactions (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
            partner_id TEXT, date TEXT NOT NULL, reference TEXT, currency TEXT NOT NULL,
            net_minor INTEGER NOT NULL, tax_minor INTEGER NOT NULL, gross_minor INTEGER NOT NULL,
            journal_entry_id TEXT, reverses_id TEXT, reversed_by_id TEXT, rejections TEXT,
            document TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, posted_at TEXT,
            PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX transactions_by_date ON transactions (tenant_id, date, id)",
        "CREATE INDEX transactions_by_partner ON transactions (tenant_id, partner_id, id)",
        """
        CREATE TABLE stock_levels (
            tenant_id TEXT NOT NULL, article_id TEXT NOT NULL, batch_id TEXT NOT NULL, location_id TEXT NOT NULL,
            quantity_milli INTEGER NOT NULL CHECK (quantity_milli >= 0),
            PRIMARY KEY (tenant_id, article_id, batch_id, location_id))
        """,
        // Moving-average valuation per article: value / quantity is the average unit cost.
        """
        CREATE TABLE article_valuations (
            tenant_id TEXT NOT NULL, article_id TEXT NOT NULL, quantity_milli INTEGER NOT NULL,
            value_minor INTEGER NOT NULL, PRIMARY KEY (tenant_id, article_id))
        """,
        """
        CREATE TABLE stock_movements (
            tenant_id TEXT NOT NULL, transaction_id TEXT NOT NULL, line INTEGER NOT NULL,
            article_id TEXT NOT NULL, batch_id TEXT NOT NULL, location_id TEXT NOT NULL,
            quantity_milli INTEGER NOT NULL, value_minor INTEGER NOT NULL, date TEXT NOT NULL,
            PRIMARY KEY (tenant_id, transaction_id, line))
        """,
        "CREATE INDEX stock_movements_by_article ON stock_movements (tenant_id, article_id)",
        """
        CREATE TABLE journal_entries (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, fiscal_year INTEGER NOT NULL, number INTEGER NOT NULL,
            date TEXT NOT NULL, description TEXT NOT NULL, source TEXT NOT NULL, transaction_id TEXT,
            reverses_id TEXT, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, fiscal_year, number))
        """,
        """
        CREATE TABLE journal_lines (
            tenant_id TEXT NOT NULL, entry_id TEXT NOT NULL, line INTEGER NOT NULL, account TEXT NOT NULL,
            debit_minor INTEGER NOT NULL CHECK (debit_minor >= 0), credit_minor INTEGER NOT NULL CHECK (credit_minor >= 0),
            tax_code TEXT, partner_id TEXT,
            PRIMARY KEY (tenant_id, entry_id, line))
        """,
        // GoBD: a posted entry is never changed or deleted; a correction is a reversing entry.
        "CREATE TRIGGER journal_entries_immutable BEFORE UPDATE ON journal_entries BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END",
        "CREATE TRIGGER journal_entries_undeletable BEFORE DELETE ON journal_entries BEGIN SELECT RAISE(ABORT, 'posted journal entries are immutable'); END",
        "CREATE TRIGGER journal_lines_immutable BEFORE UPDATE ON journal_lines BEGIN SELECT RAISE(ABORT, 'posted journal lines are immutable'); END",
        "CREATE TRIGGER journal_lines_undeletable BEFORE DELETE ON journal_lines BEGIN SELECT RAISE(ABORT, 'posted journal lines are immutable'); END",
        // Gapless posting numbers: the counter moves only inside the transaction that posts.
        """
        CREATE TABLE posting_sequences (
            tenant_id TEXT NOT NULL, fiscal_year INTEGER NOT NULL, last_number INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, fiscal_year))
        """,
        // Balances maintained on every posting, so the trial balance never scans the lines.
        """
        CREATE TABLE account_balances (
            tenant_id TEXT NOT NULL, fiscal_year INTEGER NOT NULL, account TEXT NOT NULL,
            debit_minor INTEGER NOT NULL, credit_minor INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, fiscal_year, account))
        """,
        """
        CREATE TABLE open_items (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, partner_id TEXT NOT NULL, kind TEXT NOT NULL,
            transaction_id TEXT NOT NULL, document_date TEXT NOT NULL, due_date TEXT NOT NULL, currency TEXT NOT NULL,
            amount_minor INTEGER NOT NULL, paid_minor INTEGER NOT NULL DEFAULT 0,
            CHECK (abs(paid_minor) <= abs(amount_minor) AND paid_minor * amount_minor >= 0),
            PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX open_items_by_partner ON open_items (tenant_id, partner_id, kind, due_date)",
        """
        CREATE TABLE payments (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, partner_id TEXT NOT NULL, direction TEXT NOT NULL,
            date TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, reference TEXT,
            document TEXT NOT NULL, journal_entry_id TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
    ]
}
