import Platform

/// The Audit DB. Records and checkpoints are append-only: the database itself refuses UPDATE and
/// DELETE on them. Actor details are the one mutable part, kept apart so that a GDPR request can
/// pseudonymise a person without touching a hashed record.
enum AuditMigrations {
    static let track = MigrationTrack(
        name: "audit",
        migrations: [
            Migration(version: 1, name: "hash-chained trail, signed checkpoints, actor details", statements: trail),
            Migration(version: 2, name: "records by resource, whatever its type", statements: recordsByResource),
        ])

    /// The history of one resource is asked for by its ID alone (IDs are unique across types).
    static let recordsByResource = [
        "DROP INDEX audit_records_by_resource",
        "CREATE INDEX audit_records_by_resource ON audit_records (tenant_id, resource_id, seq)",
    ]

    static let trail = [
        // STRICT: a seq of 5.5 cannot slip a record between 5 and 6.
        """
        CREATE TABLE audit_records (
            tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, event_id TEXT NOT NULL, occurred_at TEXT NOT NULL,
            actor TEXT NOT NULL, action TEXT NOT NULL, resource_type TEXT NOT NULL, resource_id TEXT,
            changes TEXT NOT NULL, correlation_id TEXT, source TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
            PRIMARY KEY (tenant_id, seq)) WITHOUT ROWID, STRICT
        """,
        "CREATE UNIQUE INDEX audit_records_by_event ON audit_records (event_id)",
        "CREATE INDEX audit_records_by_resource ON audit_records (tenant_id, resource_type, resource_id, seq)",
        "CREATE INDEX audit_records_by_actor ON audit_records (tenant_id, actor, seq)",
        "CREATE INDEX audit_records_by_action ON audit_records (tenant_id, action, seq)",
        "CREATE TRIGGER audit_records_immutable BEFORE UPDATE ON audit_records BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
        "CREATE TRIGGER audit_records_undeletable BEFORE DELETE ON audit_records BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
        """
        CREATE TABLE audit_checkpoints (
            tenant_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, signed_at TEXT NOT NULL,
            key_id TEXT NOT NULL, signature TEXT NOT NULL, PRIMARY KEY (tenant_id, seq)) WITHOUT ROWID, STRICT
        """,
        "CREATE TRIGGER audit_checkpoints_immutable BEFORE UPDATE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END",
        "CREATE TRIGGER audit_checkpoints_undeletable BEFORE DELETE ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END",
        // The tenants that have a trail, for the sealer's rounds.
        "CREATE TABLE audit_tenants (tenant_id TEXT PRIMARY KEY) WITHOUT ROWID",
        """
        CREATE TABLE audit_actors (
            tenant_id TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, name TEXT, email TEXT, pseudonymised_at TEXT,
            PRIMARY KEY (tenant_id, actor)) WITHOUT ROWID
        """,
        "CREATE TABLE audit_signing_keys (key_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, private_key TEXT NOT NULL, created_at TEXT NOT NULL)",
    ]
}
