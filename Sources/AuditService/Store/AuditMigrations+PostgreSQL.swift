import Platform

/// The Audit DB in PostgreSQL: the same schema as the SQLite track. Records and checkpoints are
/// append-only: triggers refuse UPDATE and DELETE on them.
extension AuditMigrations {
    static let postgresTrack = MigrationTrack(
        name: "audit",
        migrations: [
            Migration(version: 1, name: "hash-chained trail, signed checkpoints, actor details", statements: postgresTrail),
            Migration(version: 2, name: "records by resource, whatever its type", statements: recordsByResource),
        ])

    static let postgresTrail = [
        // BIGINT: a seq of 5.5 cannot slip a record between 5 and 6 (SQLite needs STRICT for that).
        """
        CREATE TABLE audit_records (
            tenant_id TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL, event_id TEXT COLLATE "C" NOT NULL, occurred_at TEXT COLLATE "C" NOT NULL,
            actor TEXT COLLATE "C" NOT NULL, action TEXT COLLATE "C" NOT NULL, resource_type TEXT COLLATE "C" NOT NULL, resource_id TEXT COLLATE "C",
            changes TEXT COLLATE "C" NOT NULL, correlation_id TEXT COLLATE "C", source TEXT COLLATE "C" NOT NULL, prev_hash TEXT COLLATE "C" NOT NULL, hash TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, seq))
        """,
        "CREATE UNIQUE INDEX audit_records_by_event ON audit_records (event_id)",
        "CREATE INDEX audit_records_by_resource ON audit_records (tenant_id, resource_type, resource_id, seq)",
        "CREATE INDEX audit_records_by_actor ON audit_records (tenant_id, actor, seq)",
        "CREATE INDEX audit_records_by_action ON audit_records (tenant_id, action, seq)",
        """
        CREATE FUNCTION audit_records_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only';
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER audit_records_immutable BEFORE UPDATE ON audit_records FOR EACH ROW EXECUTE FUNCTION audit_records_immutable()",
        """
        CREATE FUNCTION audit_records_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only';
            RETURN OLD;
        END
        $$
        """,
        "CREATE TRIGGER audit_records_undeletable BEFORE DELETE ON audit_records FOR EACH ROW EXECUTE FUNCTION audit_records_undeletable()",
        """
        CREATE TABLE audit_checkpoints (
            tenant_id TEXT COLLATE "C" NOT NULL, seq BIGINT NOT NULL, hash TEXT COLLATE "C" NOT NULL, signed_at TEXT COLLATE "C" NOT NULL,
            key_id TEXT COLLATE "C" NOT NULL, signature TEXT COLLATE "C" NOT NULL, PRIMARY KEY (tenant_id, seq))
        """,
        """
        CREATE FUNCTION audit_checkpoints_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'checkpoints are append-only';
            RETURN NEW;
        END
        $$
        """,
        "CREATE TRIGGER audit_checkpoints_immutable BEFORE UPDATE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_immutable()",
        """
        CREATE FUNCTION audit_checkpoints_undeletable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'checkpoints are append-only';
            RETURN OLD;
        END
        $$
        """,
        "CREATE TRIGGER audit_checkpoints_undeletable BEFORE DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_undeletable()",
        // The tenants that have a trail, for the sealer's rounds.
        "CREATE TABLE audit_tenants (tenant_id TEXT COLLATE \"C\" PRIMARY KEY)",
        """
        CREATE TABLE audit_actors (
            tenant_id TEXT COLLATE "C" NOT NULL, actor TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C", email TEXT COLLATE "C", pseudonymised_at TEXT COLLATE "C",
            PRIMARY KEY (tenant_id, actor))
        """,
        "CREATE TABLE audit_signing_keys (key_id TEXT COLLATE \"C\" PRIMARY KEY, public_key TEXT COLLATE \"C\" NOT NULL, private_key TEXT COLLATE \"C\" NOT NULL, created_at TEXT COLLATE \"C\" NOT NULL)",
    ]
}
