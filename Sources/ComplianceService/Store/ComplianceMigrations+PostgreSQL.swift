import Platform

/// The compliance track in PostgreSQL: the final schema of SQLite versions 1–4 as version 1.
extension ComplianceMigrations {
    static let postgresTrack = MigrationTrack(
        name: "compliance",
        migrations: [
            Migration(
                version: 1, name: "batch status, PSM register, rule sets, checks, monitoring and traceability",
                statements: postgresBatchStatus + postgresChecks + postgresMonitoring + postgresTrace),
        ])

    static let postgresBatchStatus = [
        """
        CREATE TABLE compliance_batches (
            tenant_id TEXT COLLATE "C" NOT NULL, batch_id TEXT COLLATE "C" NOT NULL, status TEXT COLLATE "C" NOT NULL, version BIGINT NOT NULL,
            document TEXT COLLATE "C" NOT NULL, PRIMARY KEY (tenant_id, batch_id))
        """,
        "CREATE INDEX compliance_batches_by_status ON compliance_batches (tenant_id, status, batch_id)",
        """
        CREATE TABLE batch_status_changes (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, batch_id TEXT COLLATE "C" NOT NULL, document TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX batch_status_changes_by_batch ON batch_status_changes (tenant_id, batch_id, id)",
        """
        CREATE FUNCTION batch_status_changes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'status history is append-only';
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER batch_status_changes_immutable BEFORE UPDATE ON batch_status_changes FOR EACH ROW EXECUTE FUNCTION batch_status_changes_immutable()",
        """
        CREATE FUNCTION batch_status_changes_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'status history is append-only';
            RETURN OLD;
        END
        $$
        """,
        "CREATE TRIGGER batch_status_changes_undeletable BEFORE DELETE ON batch_status_changes FOR EACH ROW EXECUTE FUNCTION batch_status_changes_undeletable()",
        """
        CREATE TABLE psm_approvals (
            tenant_id TEXT COLLATE "C" NOT NULL, approval_number TEXT COLLATE "C" NOT NULL, expires_on TEXT COLLATE "C" NOT NULL, version BIGINT NOT NULL,
            document TEXT COLLATE "C" NOT NULL, PRIMARY KEY (tenant_id, approval_number))
        """,
        "CREATE INDEX psm_approvals_by_expiry ON psm_approvals (expires_on)",
        // Which approval covers an article: from the register and from the articles' own events.
        """
        CREATE TABLE psm_articles (
            tenant_id TEXT COLLATE "C" NOT NULL, article_id TEXT COLLATE "C" NOT NULL, approval_number TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, article_id))
        """,
    ]

    // Rule set versions and check results are never changed: an edit is a new version.
    static let postgresChecks = [
        """
        CREATE TABLE rule_sets (
            tenant_id TEXT COLLATE "C" NOT NULL, check_type TEXT COLLATE "C" NOT NULL, version BIGINT NOT NULL, document TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, check_type, version))
        """,
        """
        CREATE FUNCTION rule_sets_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'rule set versions are immutable';
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER rule_sets_immutable BEFORE UPDATE ON rule_sets FOR EACH ROW EXECUTE FUNCTION rule_sets_immutable()",
        """
        CREATE FUNCTION rule_sets_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'rule set versions are immutable';
            RETURN OLD;
        END
        $$
        """,
        "CREATE TRIGGER rule_sets_undeletable BEFORE DELETE ON rule_sets FOR EACH ROW EXECUTE FUNCTION rule_sets_undeletable()",
        """
        CREATE TABLE batch_checks (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, batch_id TEXT COLLATE "C" NOT NULL, document TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX batch_checks_by_batch ON batch_checks (tenant_id, batch_id, id)",
        """
        CREATE FUNCTION batch_checks_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'check results are immutable';
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER batch_checks_immutable BEFORE UPDATE ON batch_checks FOR EACH ROW EXECUTE FUNCTION batch_checks_immutable()",
        """
        CREATE FUNCTION batch_checks_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'check results are immutable';
            RETURN OLD;
        END
        $$
        """,
        "CREATE TRIGGER batch_checks_undeletable BEFORE DELETE ON batch_checks FOR EACH ROW EXECUTE FUNCTION batch_checks_undeletable()",
    ]

    // Measurements are plain rows (no document) so that bulk uploads stay cheap.
    static let postgresMonitoring = [
        """
        CREATE TABLE monitors (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, target_kind TEXT COLLATE "C" NOT NULL, target_id TEXT COLLATE "C" NOT NULL,
            active BIGINT NOT NULL, document TEXT COLLATE "C" NOT NULL, PRIMARY KEY (tenant_id, id))
        """,
        "CREATE INDEX monitors_by_target ON monitors (tenant_id, target_kind, target_id)",
        // `seq` stands in for SQLite's implicit rowid, by which MonitoringStore pages.
        """
        CREATE TABLE measurements (
            tenant_id TEXT COLLATE "C" NOT NULL, monitor_id TEXT COLLATE "C" NOT NULL, property TEXT COLLATE "C" NOT NULL, value TEXT COLLATE "C" NOT NULL, measured_at TEXT COLLATE "C" NOT NULL,
            seq BIGINT GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (tenant_id, monitor_id, seq))
        """,
        "CREATE INDEX measurements_by_monitor ON measurements (tenant_id, monitor_id, measured_at)",
        """
        CREATE TABLE alerts (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, monitor_id TEXT COLLATE "C" NOT NULL, property TEXT COLLATE "C" NOT NULL, status TEXT COLLATE "C" NOT NULL,
            document TEXT COLLATE "C" NOT NULL, PRIMARY KEY (tenant_id, id))
        """,
        // At most one alert per monitor and property is not resolved: later breaches count into it.
        "CREATE UNIQUE INDEX alerts_unresolved ON alerts (tenant_id, monitor_id, property) WHERE status <> 'resolved'",
        "CREATE INDEX alerts_by_status ON alerts (tenant_id, status, id)",
    ]

    // The compliance service's own copy of who got what from which batch, built from the
    // transactions service's events, so a trace needs no other service. A movement carries its
    // transaction's kind, date, customer and reversal, so that one covering index answers a trace.
    static let postgresTrace = [
        """
        CREATE TABLE trace_transactions (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL, date TEXT COLLATE "C" NOT NULL, partner_id TEXT COLLATE "C",
            reversed BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, id))
        """,
        """
        CREATE TABLE trace_movements (
            tenant_id TEXT COLLATE "C" NOT NULL, transaction_id TEXT COLLATE "C" NOT NULL, line BIGINT NOT NULL, batch_id TEXT COLLATE "C" NOT NULL,
            article_id TEXT COLLATE "C" NOT NULL, quantity_milli BIGINT NOT NULL, kind TEXT COLLATE "C" NOT NULL DEFAULT '', date TEXT COLLATE "C" NOT NULL DEFAULT '',
            partner_id TEXT COLLATE "C", reversed BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, transaction_id, line))
        """,
        """
        CREATE INDEX trace_movements_by_batch ON trace_movements (
            tenant_id, batch_id, kind, reversed, transaction_id, quantity_milli, article_id, date, partner_id)
        """,
        """
        CREATE TABLE trace_batch_links (
            tenant_id TEXT COLLATE "C" NOT NULL, batch_id TEXT COLLATE "C" NOT NULL, predecessor_id TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, batch_id, predecessor_id))
        """,
        "CREATE INDEX trace_batch_links_by_predecessor ON trace_batch_links (tenant_id, predecessor_id, batch_id)",
        """
        CREATE TABLE trace_partners (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, city TEXT COLLATE "C", PRIMARY KEY (tenant_id, id))
        """,
        """
        CREATE TABLE trace_articles (
            tenant_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, sku TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, base_unit TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, id))
        """,
    ]
}
