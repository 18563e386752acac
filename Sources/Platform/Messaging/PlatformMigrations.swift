/// Tables every service database carries: the outbox the relay drains, the inbox that makes
/// consumers idempotent, and the record of client idempotency keys.
public enum PlatformMigrations {
    public static func track(for dialect: SQLDialect) -> MigrationTrack {
        dialect == .sqlite ? sqlite : postgresql
    }

    static let sqlite = MigrationTrack(
        name: "platform",
        migrations: [
            Migration(
                version: 1, name: "outbox, inbox and idempotency keys",
                statements: [
                    """
                    CREATE TABLE outbox_events (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL,
                        source TEXT NOT NULL,
                        tenant_id TEXT,
                        subject TEXT,
                        occurred_at_ms INTEGER NOT NULL,
                        trace_id TEXT,
                        payload BLOB NOT NULL,
                        published_at TEXT)
                    """,
                    "CREATE INDEX outbox_events_unpublished ON outbox_events (seq) WHERE published_at IS NULL",
                    """
                    CREATE TABLE processed_events (
                        consumer TEXT NOT NULL, event_id TEXT NOT NULL, processed_at TEXT NOT NULL,
                        PRIMARY KEY (consumer, event_id))
                    """,
                    """
                    CREATE TABLE idempotency_keys (
                        scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
                        status INTEGER NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL,
                        created_at TEXT NOT NULL, PRIMARY KEY (scope, key))
                    """,
                ]),
            Migration(
                version: 2, name: "unpublished events by source",
                statements: [
                    // The relay of each process asks for its own modules' events.
                    "DROP INDEX outbox_events_unpublished",
                    "CREATE INDEX outbox_events_unpublished ON outbox_events (source, seq) WHERE published_at IS NULL",
                ])
        ])
}
