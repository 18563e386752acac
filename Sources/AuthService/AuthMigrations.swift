import Platform

enum AuthMigrations {
    static let track = MigrationTrack(
        name: "auth",
        migrations: [
            Migration(
                version: 1, name: "signing keys, credentials and refresh token families",
                statements: [
                    """
                    CREATE TABLE auth_signing_keys (
                        kid TEXT PRIMARY KEY, algorithm TEXT NOT NULL, private_key TEXT NOT NULL,
                        public_key TEXT NOT NULL, created_at TEXT NOT NULL, retired_at TEXT)
                    """,
                    """
                    CREATE TABLE auth_credentials (
                        user_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
                        password_hash TEXT NOT NULL, updated_at TEXT NOT NULL)
                    """,
                    """
                    CREATE TABLE auth_refresh_families (
                        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, user_id TEXT NOT NULL,
                        created_at TEXT NOT NULL, revoked_at TEXT, revoked_reason TEXT)
                    """,
                    "CREATE INDEX auth_refresh_families_user ON auth_refresh_families (tenant_id, user_id)",
                    """
                    CREATE TABLE auth_refresh_tokens (
                        token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL REFERENCES auth_refresh_families (id),
                        issued_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT)
                    """,
                ]),
            Migration(
                version: 2, name: "API keys",
                statements: [
                    """
                    CREATE TABLE auth_api_keys (
                        id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL,
                        key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL, scopes TEXT NOT NULL,
                        created_by TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)
                    """,
                    "CREATE INDEX auth_api_keys_tenant ON auth_api_keys (tenant_id, id)",
                ]),
            Migration(
                version: 3, name: "TOTP second factor",
                statements: [
                    """
                    CREATE TABLE auth_mfa (
                        user_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, secret TEXT NOT NULL,
                        confirmed_at TEXT, recovery_code_hashes TEXT NOT NULL DEFAULT '[]',
                        last_used_step INTEGER NOT NULL DEFAULT 0)
                    """,
                    """
                    CREATE TABLE auth_mfa_challenges (
                        token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at TEXT NOT NULL,
                        failed_attempts INTEGER NOT NULL DEFAULT 0, used_at TEXT)
                    """,
                ]),
            Migration(
                version: 4, name: "refresh in one statement",
                statements: [
                    // A successor names the token it replaces; inserting it marks that one used, in
                    // the same statement, so a refresh is one atomic write.
                    "ALTER TABLE auth_refresh_tokens ADD COLUMN predecessor TEXT",
                    // Copied from the family so a refresh answers who it is for without a second query.
                    "ALTER TABLE auth_refresh_tokens ADD COLUMN user_id TEXT",
                    "ALTER TABLE auth_refresh_tokens ADD COLUMN tenant_id TEXT",
                    """
                    CREATE TRIGGER auth_refresh_tokens_use_predecessor AFTER INSERT ON auth_refresh_tokens
                    WHEN NEW.predecessor IS NOT NULL
                    BEGIN
                        UPDATE auth_refresh_tokens SET used_at = NEW.issued_at WHERE token_hash = NEW.predecessor;
                    END
                    """,
                ]),
        ])
}
