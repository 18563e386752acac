import Platform

enum UserMigrations {
    static let track = MigrationTrack(
        name: "users",
        migrations: [
            Migration(
                version: 1, name: "tenants, users and role assignments",
                statements: [
                    "CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL)",
                    """
                    CREATE TABLE users (
                        tenant_id TEXT NOT NULL REFERENCES tenants (id), id TEXT NOT NULL,
                        email TEXT NOT NULL, name TEXT NOT NULL, locale TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('active', 'locked', 'disabled')),
                        created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                        PRIMARY KEY (tenant_id, id))
                    """,
                    // E-mail is the login name, so it is unique across tenants (stored lower-case).
                    "CREATE UNIQUE INDEX users_email ON users (email)",
                    // The auth service looks users up by ID alone (the ID in a token or credential).
                    "CREATE UNIQUE INDEX users_id ON users (id)",
                    """
                    CREATE TABLE user_roles (
                        tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL,
                        PRIMARY KEY (tenant_id, user_id, role),
                        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id))
                    """,
                ])
        ])
}
