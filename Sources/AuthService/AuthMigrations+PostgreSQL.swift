import Platform

/// The auth track in PostgreSQL: the final schema of SQLite versions 1–4 as version 1.
extension AuthMigrations {
    static let postgresTrack = MigrationTrack(
        name: "auth",
        migrations: [
            Migration(
                version: 1, name: "signing keys, credentials, refresh tokens, API keys and TOTP",
                statements: [
                    """
                    CREATE TABLE auth_signing_keys (
                        kid TEXT COLLATE "C" PRIMARY KEY, algorithm TEXT COLLATE "C" NOT NULL, private_key TEXT COLLATE "C" NOT NULL,
                        public_key TEXT COLLATE "C" NOT NULL, created_at TEXT COLLATE "C" NOT NULL, retired_at TEXT COLLATE "C")
                    """,
                    """
                    CREATE TABLE auth_credentials (
                        user_id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, email TEXT COLLATE "C" NOT NULL UNIQUE,
                        password_hash TEXT COLLATE "C" NOT NULL, updated_at TEXT COLLATE "C" NOT NULL)
                    """,
                    """
                    CREATE TABLE auth_refresh_families (
                        id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL,
                        created_at TEXT COLLATE "C" NOT NULL, revoked_at TEXT COLLATE "C", revoked_reason TEXT COLLATE "C")
                    """,
                    "CREATE INDEX auth_refresh_families_user ON auth_refresh_families (tenant_id, user_id)",
                    // predecessor, user_id and tenant_id were added by SQLite version 4 (hence nullable).
                    """
                    CREATE TABLE auth_refresh_tokens (
                        token_hash TEXT COLLATE "C" PRIMARY KEY, family_id TEXT COLLATE "C" NOT NULL REFERENCES auth_refresh_families (id),
                        issued_at TEXT COLLATE "C" NOT NULL, expires_at TEXT COLLATE "C" NOT NULL, used_at TEXT COLLATE "C",
                        predecessor TEXT COLLATE "C", user_id TEXT COLLATE "C", tenant_id TEXT COLLATE "C")
                    """,
                    // A successor names the token it replaces; inserting it marks that one used, in
                    // the same statement, so a refresh is one atomic write.
                    """
                    CREATE FUNCTION auth_refresh_tokens_use_predecessor() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        UPDATE auth_refresh_tokens SET used_at = NEW.issued_at WHERE token_hash = NEW.predecessor;
                        RETURN NULL;
                    END
                    $$
                    """,
                    """
                    CREATE TRIGGER auth_refresh_tokens_use_predecessor AFTER INSERT ON auth_refresh_tokens
                    FOR EACH ROW WHEN (NEW.predecessor IS NOT NULL)
                    EXECUTE FUNCTION auth_refresh_tokens_use_predecessor()
                    """,
                    """
                    CREATE TABLE auth_api_keys (
                        id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL,
                        key_hash TEXT COLLATE "C" NOT NULL UNIQUE, prefix TEXT COLLATE "C" NOT NULL, scopes TEXT COLLATE "C" NOT NULL,
                        created_by TEXT COLLATE "C" NOT NULL, created_at TEXT COLLATE "C" NOT NULL, revoked_at TEXT COLLATE "C")
                    """,
                    "CREATE INDEX auth_api_keys_tenant ON auth_api_keys (tenant_id, id)",
                    """
                    CREATE TABLE auth_mfa (
                        user_id TEXT COLLATE "C" PRIMARY KEY, tenant_id TEXT COLLATE "C" NOT NULL, secret TEXT COLLATE "C" NOT NULL,
                        confirmed_at TEXT COLLATE "C", recovery_code_hashes TEXT COLLATE "C" NOT NULL DEFAULT '[]',
                        last_used_step BIGINT NOT NULL DEFAULT 0)
                    """,
                    """
                    CREATE TABLE auth_mfa_challenges (
                        token_hash TEXT COLLATE "C" PRIMARY KEY, user_id TEXT COLLATE "C" NOT NULL, expires_at TEXT COLLATE "C" NOT NULL,
                        failed_attempts BIGINT NOT NULL DEFAULT 0, used_at TEXT COLLATE "C")
                    """,
                ])
        ])
}
