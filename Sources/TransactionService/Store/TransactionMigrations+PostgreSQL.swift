import Platform

/// The transactions track in PostgreSQL: the final schema of the SQLite track as version 1.
/// Quantities, amounts and counters are BIGINT; dates stay ISO `YYYY-MM-DD` text.
extension TransactionMigrations {
    static let postgresTrack = MigrationTrack(
        name: "transactions",
        migrations: [
            Migration(
                version: 1, name: "master data, transactions, stock, ledger, open items and payments",
                statements: postgresMasterData + postgresPostings),
            Migration(version: 2, name: "open items by transaction", statements: [openItemsByTransaction]),
            Migration(version: 3, name: "filtered pages in ID order", statements: filteredPages),
            Migration(version: 4, name: "a moved tenant's ledger leaves its old shard", statements: movableLedger),
        ])

    /// GoBD keeps posted entries for ever, and a tenant moved to another database shard keeps
    /// them there: the copy it leaves behind is deleted once the new shard holds every entry.
    /// `TenantMove` names the tenant for that one transaction; nothing else may delete.
    static let movableLedger = ["journal_entries", "journal_lines"].map { table in
        """
        CREATE OR REPLACE FUNCTION \(table)_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('neuroerp.moving_tenant', true) = OLD.tenant_id THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'posted journal \(table == "journal_entries" ? "entries" : "lines") are immutable';
        END
        $$
        """
    }

    static let postgresMasterData = [
        """
        CREATE TABLE articles (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, sku TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, category TEXT COLLATE "C" NOT NULL,
            document TEXT COLLATE "C" NOT NULL, PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, sku))
        """,
        """
        CREATE TABLE batches (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, article_id TEXT COLLATE "C" NOT NULL, batch_number TEXT COLLATE "C" NOT NULL,
            document TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, article_id, batch_number),
            FOREIGN KEY (tenant_id, article_id) REFERENCES articles (tenant_id, id))
        """,
        """
        CREATE TABLE partners (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, document TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
        """
        CREATE TABLE warehouses (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, code TEXT COLLATE "C" NOT NULL, document TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, code))
        """,
        """
        CREATE TABLE storage_locations (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, warehouse_id TEXT COLLATE "C" NOT NULL, code TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, warehouse_id, code),
            FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id))
        """,
        // The chart of accounts and the tax codes are seeded per tenant on its first use.
        """
        CREATE TABLE accounts (
            tenant_id TEXT COLLATE "C" NOT NULL, number TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, type TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, number))
        """,
        """
        CREATE TABLE tax_codes (
            tenant_id TEXT COLLATE "C" NOT NULL, code TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, rate_basis_points BIGINT NOT NULL,
            kind TEXT COLLATE "C" NOT NULL, revenue_account TEXT COLLATE "C" NOT NULL, output_tax_account TEXT COLLATE "C", input_tax_account TEXT COLLATE "C",
            PRIMARY KEY (tenant_id, code))
        """,
        "CREATE TABLE tenant_setup (tenant_id TEXT COLLATE \"C\" PRIMARY KEY, chart TEXT COLLATE \"C\" NOT NULL, seeded_at TEXT COLLATE \"C\" NOT NULL)",
        """
        CREATE TABLE fiscal_periods (
            tenant_id TEXT COLLATE "C" NOT NULL, year BIGINT NOT NULL, month BIGINT NOT NULL,
            status TEXT COLLATE "C" NOT NULL CHECK (status IN ('open', 'closed', 'locked')), changed_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, year, month))
        """,
    ]

    static let postgresPostings = [
        """
        CREATE TABLE transactions (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL, status TEXT COLLATE "C" NOT NULL,
            partner_id TEXT COLLATE "C", date TEXT COLLATE "C" NOT NULL, reference TEXT COLLATE "C", currency TEXT COLLATE "C" NOT NULL,
            net_minor BIGINT NOT NULL, tax_minor BIGINT NOT NULL, gross_minor BIGINT NOT NULL,
            journal_entry_id TEXT COLLATE "C", reverses_id TEXT COLLATE "C", reversed_by_id TEXT COLLATE "C", rejections TEXT COLLATE "C",
            document TEXT COLLATE "C" NOT NULL, created_by TEXT COLLATE "C" NOT NULL, created_at TEXT COLLATE "C" NOT NULL, posted_at TEXT COLLATE "C",
            PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX transactions_by_date ON transactions (tenant_id, date, id)",
        "CREATE INDEX transactions_by_partner ON transactions (tenant_id, partner_id, id)",
        """
        CREATE TABLE stock_levels (
            tenant_id TEXT COLLATE "C" NOT NULL, article_id TEXT COLLATE "C" NOT NULL, batch_id TEXT COLLATE "C" NOT NULL, location_id TEXT COLLATE "C" NOT NULL,
            quantity_milli BIGINT NOT NULL CHECK (quantity_milli >= 0),
            PRIMARY KEY (tenant_id, article_id, batch_id, location_id))
        """,
        // Moving-average valuation per article: value / quantity is the average unit cost.
        """
        CREATE TABLE article_valuations (
            tenant_id TEXT COLLATE "C" NOT NULL, article_id TEXT COLLATE "C" NOT NULL, quantity_milli BIGINT NOT NULL,
            value_minor BIGINT NOT NULL, PRIMARY KEY (tenant_id, article_id))
        """,
        """
        CREATE TABLE stock_movements (
            tenant_id TEXT COLLATE "C" NOT NULL, transaction_id TEXT COLLATE "C" NOT NULL, line BIGINT NOT NULL,
            article_id TEXT COLLATE "C" NOT NULL, batch_id TEXT COLLATE "C" NOT NULL, location_id TEXT COLLATE "C" NOT NULL,
            quantity_milli BIGINT NOT NULL, value_minor BIGINT NOT NULL, date TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, transaction_id, line))
        """,
        "CREATE INDEX stock_movements_by_article ON stock_movements (tenant_id, article_id)",
        """
        CREATE TABLE journal_entries (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, fiscal_year BIGINT NOT NULL, number BIGINT NOT NULL,
            date TEXT COLLATE "C" NOT NULL, description TEXT COLLATE "C" NOT NULL, source TEXT COLLATE "C" NOT NULL, transaction_id TEXT COLLATE "C",
            reverses_id TEXT COLLATE "C", created_by TEXT COLLATE "C" NOT NULL, created_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, fiscal_year, number))
        """,
        """
        CREATE TABLE journal_lines (
            tenant_id TEXT COLLATE "C" NOT NULL, entry_id TEXT COLLATE "C" NOT NULL, line BIGINT NOT NULL, account TEXT COLLATE "C" NOT NULL,
            debit_minor BIGINT NOT NULL CHECK (debit_minor >= 0), credit_minor BIGINT NOT NULL CHECK (credit_minor >= 0),
            tax_code TEXT COLLATE "C", partner_id TEXT COLLATE "C",
            PRIMARY KEY (tenant_id, entry_id, line))
        """,
        // GoBD: a posted entry is never changed or deleted; a correction is a reversing entry.
        """
        CREATE FUNCTION journal_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'posted journal entries are immutable';
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER journal_entries_immutable BEFORE UPDATE ON journal_entries FOR EACH ROW EXECUTE FUNCTION journal_entries_immutable()",
        """
        CREATE FUNCTION journal_entries_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'posted journal entries are immutable';
            RETURN OLD;
        END
        $$
        """,
        "CREATE TRIGGER journal_entries_undeletable BEFORE DELETE ON journal_entries FOR EACH ROW EXECUTE FUNCTION journal_entries_undeletable()",
        """
        CREATE FUNCTION journal_lines_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'posted journal lines are immutable';
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER journal_lines_immutable BEFORE UPDATE ON journal_lines FOR EACH ROW EXECUTE FUNCTION journal_lines_immutable()",
        """
        CREATE FUNCTION journal_lines_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'posted journal lines are immutable';
            RETURN OLD;
        END
        $$
        """,
        "CREATE TRIGGER journal_lines_undeletable BEFORE DELETE ON journal_lines FOR EACH ROW EXECUTE FUNCTION journal_lines_undeletable()",
        // Gapless posting numbers: the counter moves only inside the transaction that posts.
        """
        CREATE TABLE posting_sequences (
            tenant_id TEXT COLLATE "C" NOT NULL, fiscal_year BIGINT NOT NULL, last_number BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, fiscal_year))
        """,
        // Balances maintained on every posting, so the trial balance never scans the lines.
        """
        CREATE TABLE account_balances (
            tenant_id TEXT COLLATE "C" NOT NULL, fiscal_year BIGINT NOT NULL, account TEXT COLLATE "C" NOT NULL,
            debit_minor BIGINT NOT NULL, credit_minor BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, fiscal_year, account))
        """,
        // SQLite's `paid_minor * amount_minor >= 0` becomes a comparison of signs: the product of
        // two large amounts overflows BIGINT in PostgreSQL (an error), where SQLite falls back to
        // a REAL with the right sign. Same rows accepted, no overflow.
        """
        CREATE TABLE open_items (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, partner_id TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL,
            transaction_id TEXT COLLATE "C" NOT NULL, document_date TEXT COLLATE "C" NOT NULL, due_date TEXT COLLATE "C" NOT NULL, currency TEXT COLLATE "C" NOT NULL,
            amount_minor BIGINT NOT NULL, paid_minor BIGINT NOT NULL DEFAULT 0,
            CHECK (abs(paid_minor) <= abs(amount_minor)
                AND ((paid_minor >= 0 AND amount_minor >= 0) OR (paid_minor <= 0 AND amount_minor <= 0))),
            PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX open_items_by_partner ON open_items (tenant_id, partner_id, kind, due_date)",
        """
        CREATE TABLE payments (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, partner_id TEXT COLLATE "C" NOT NULL, direction TEXT COLLATE "C" NOT NULL,
            date TEXT COLLATE "C" NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT COLLATE "C" NOT NULL, reference TEXT COLLATE "C",
            document TEXT COLLATE "C" NOT NULL, journal_entry_id TEXT COLLATE "C" NOT NULL, created_by TEXT COLLATE "C" NOT NULL, created_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
    ]
}
