/// The tables of a database that is one shard among several (PostgreSQL only).
///
/// `shard_tenants` is the shard's own record of the tenants it holds: every read and write of a
/// tenant's data checks it in the same transaction, which is what makes a move safe however
/// stale another process's directory is. `tenant_shards` is the directory (tenant → shard); only
/// the home shard's copy is used.
public enum ShardMigrations {
    public static let track = MigrationTrack(
        name: "sharding",
        migrations: [
            Migration(
                version: 1, name: "tenants held, directory, and the tenants that were here before sharding",
                statements: [
                    """
                    CREATE TABLE shard_tenants (
                        tenant_id TEXT COLLATE "C" PRIMARY KEY,
                        state TEXT COLLATE "C" NOT NULL CHECK (state IN ('active', 'moving', 'moved')),
                        changed_at TEXT COLLATE "C" NOT NULL)
                    """,
                    """
                    CREATE TABLE tenant_shards (
                        tenant_id TEXT COLLATE "C" PRIMARY KEY, shard BIGINT NOT NULL CHECK (shard >= 0),
                        changed_at TEXT COLLATE "C" NOT NULL)
                    """,
                    // A database that held tenants before it became the home shard keeps them: each
                    // tenant found in any table of the schema is recorded as held here.
                    """
                    DO $$
                    DECLARE found_table TEXT;
                    BEGIN
                        FOR found_table IN
                            SELECT table_name FROM information_schema.columns
                            WHERE table_schema = current_schema() AND column_name = 'tenant_id'
                                AND table_name NOT IN ('shard_tenants', 'tenant_shards')
                        LOOP
                            EXECUTE format(
                                'INSERT INTO shard_tenants (tenant_id, state, changed_at) '
                                || 'SELECT DISTINCT tenant_id, ''active'', to_char(now() AT TIME ZONE ''UTC'', ''YYYY-MM-DD"T"HH24:MI:SS"Z"'') '
                                || 'FROM %I WHERE tenant_id IS NOT NULL ON CONFLICT DO NOTHING', found_table);
                        END LOOP;
                        INSERT INTO tenant_shards (tenant_id, shard, changed_at) SELECT tenant_id, 0, changed_at FROM shard_tenants;
                    END
                    $$
                    """,
                ])
        ])
}
