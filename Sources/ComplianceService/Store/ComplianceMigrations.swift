import Platform

/// The compliance service's tables in the Compliance DB. Batch statuses and approvals are kept
/// as JSON documents beside the columns that filters and the gate need; the status history is
/// append-only.
enum ComplianceMigrations {
    static let track = MigrationTrack(
        name: "compliance",
        migrations: [
            Migration(version: 1, name: "batch status, status history, PSM register", statements: batchStatus),
            Migration(version: 2, name: "versioned rule sets and batch checks", statements: checks),
            Migration(version: 3, name: "monitors, measurements and alerts", statements: monitoring),
            Migration(version: 4, name: "traceability from the transactions events", statements: trace),
        ])

    static let batchStatus = [
        """
        CREATE TABLE compliance_batches (
            tenant_id TEXT NOT NULL, batch_id TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL,
            document TEXT NOT NULL, PRIMARY KEY (tenant_id, batch_id))
        """,
        "CREATE INDEX compliance_batches_by_status ON compliance_batches (tenant_id, status, batch_id)",
        """
        CREATE TABLE batch_status_changes (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, batch_id TEXT NOT NULL, document TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX batch_status_changes_by_batch ON batch_status_changes (tenant_id, batch_id, id)",
        "CREATE TRIGGER batch_status_changes_immutable BEFORE UPDATE ON batch_status_changes BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END",
        "CREATE TRIGGER batch_status_changes_undeletable BEFORE DELETE ON batch_status_changes BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END",
        """
        CREATE TABLE psm_approvals (
            tenant_id TEXT NOT NULL, approval_number TEXT NOT NULL, expires_on TEXT NOT NULL, version INTEGER NOT NULL,
            document TEXT NOT NULL, PRIMARY KEY (tenant_id, approval_number))
        """,
        "CREATE INDEX psm_approvals_by_expiry ON psm_approvals (expires_on)",
        // Which approval covers an article: from the register and from the articles' own events.
        """
        CREATE TABLE psm_articles (
            tenant_id TEXT NOT NULL, article_id TEXT NOT NULL, approval_number TEXT NOT NULL,
            PRIMARY KEY (tenant_id, article_id))
        """,
    ]

    // Rule set versions and check results are never changed: an edit is a new version.
    static let checks = [
        """
        CREATE TABLE rule_sets (
            tenant_id TEXT NOT NULL, check_type TEXT NOT NULL, version INTEGER NOT NULL, document TEXT NOT NULL,
            PRIMARY KEY (tenant_id, check_type, version))
        """,
        "CREATE TRIGGER rule_sets_immutable BEFORE UPDATE ON rule_sets BEGIN SELECT RAISE(ABORT, 'rule set versions are immutable'); END",
        "CREATE TRIGGER rule_sets_undeletable BEFORE DELETE ON rule_sets BEGIN SELECT RAISE(ABORT, 'rule set versions are immutable'); END",
        """
        CREATE TABLE batch_checks (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, batch_id TEXT NOT NULL, document TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX batch_checks_by_batch ON batch_checks (tenant_id, batch_id, id)",
        "CREATE TRIGGER batch_checks_immutable BEFORE UPDATE ON batch_checks BEGIN SELECT RAISE(ABORT, 'check results are immutable'); END",
        "CREATE TRIGGER batch_checks_undeletable BEFORE DELETE ON batch_checks BEGIN SELECT RAISE(ABORT, 'check results are immutable'); END",
    ]

    // Measurements are plain rows (no document) so that bulk uploads stay cheap.
    static let monitoring = [
        """
        CREATE TABLE monitors (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, target_kind TEXT NOT NULL, target_id TEXT NOT NULL,
            active INTEGER NOT NULL, document TEXT NOT NULL, PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX monitors_by_target ON monitors (tenant_id, target_kind, target_id)",
        """
        CREATE TABLE measurements (
            tenant_id TEXT NOT NULL, monitor_id TEXT NOT NULL, property TEXT NOT NULL, value TEXT NOT NULL, measured_at TEXT NOT NULL)
        """,
        "CREATE INDEX measurements_by_monitor ON measurements (tenant_id, monitor_id, measured_at)",
        """
        CREATE TABLE alerts (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, monitor_id TEXT NOT NULL, property TEXT NOT NULL, status TEXT NOT NULL,
            document TEXT NOT NULL, PRIMARY KEY (tenant_id, id))
        """,
        // At most one alert per monitor and property is not resolved: later breaches count into it.
        "CREATE UNIQUE INDEX alerts_unresolved ON alerts (tenant_id, monitor_id, property) WHERE status <> 'resolved'",
        "CREATE INDEX alerts_by_status ON alerts (tenant_id, status, id)",
    ]

    // The compliance service's own copy of who got what from which batch, built from the
    // transactions service's events, so a trace needs no other service. A movement carries its
    // transaction's kind, date, customer and reversal, so that one covering index answers a trace.
    static let trace = [
        """
        CREATE TABLE trace_transactions (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, date TEXT NOT NULL, partner_id TEXT,
            reversed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, id)) WITHOUT ROWID
        """,
        """
        CREATE TABLE trace_movements (
            tenant_id TEXT NOT NULL, transaction_id TEXT NOT NULL, line INTEGER NOT NULL, batch_id TEXT NOT NULL,
            article_id TEXT NOT NULL, quantity_milli INTEGER NOT NULL, kind TEXT NOT NULL DEFAULT '', date TEXT NOT NULL DEFAULT '',
            partner_id TEXT, reversed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, transaction_id, line)) WITHOUT ROWID
        """,
        """
        CREATE INDEX trace_movements_by_batch ON trace_movements (
            tenant_id, batch_id, kind, reversed, transaction_id, quantity_milli, article_id, date, partner_id)
        """,
        """
        CREATE TABLE trace_batch_links (
            tenant_id TEXT NOT NULL, batch_id TEXT NOT NULL, predecessor_id TEXT NOT NULL,
            PRIMARY KEY (tenant_id, batch_id, predecessor_id)) WITHOUT ROWID
        """,
        "CREATE INDEX trace_batch_links_by_predecessor ON trace_batch_links (tenant_id, predecessor_id, batch_id)",
        """
        CREATE TABLE trace_partners (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, city TEXT, PRIMARY KEY (tenant_id, id)) WITHOUT ROWID
        """,
        """
        CREATE TABLE trace_articles (
            tenant_id TEXT NOT NULL, id TEXT NOT NULL, sku TEXT NOT NULL, name TEXT NOT NULL, base_unit TEXT NOT NULL,
            PRIMARY KEY (tenant_id, id)) WITHOUT ROWID
        """,
    ]
}
