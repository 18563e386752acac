import Platform

/// The users track in PostgreSQL: the final schema of the SQLite track as version 1.
extension UserMigrations {
    static let postgresTrack = MigrationTrack(
        name: "users",
        migrations: [
            Migration(
                version: 1, name: "tenants, users and role assignments",
                statements: [
                    "CREATE TABLE tenants (id TEXT COLLATE \"C\" PRIMARY KEY, name TEXT COLLATE \"C\" NOT NULL, created_at TEXT COLLATE \"C\" NOT NULL)",
                    """
                    CREATE TABLE users (
                        tenant_id TEXT COLLATE "C" NOT NULL REFERENCES tenants (id), id TEXT COLLATE "C" NOT NULL,
                        email TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, locale TEXT COLLATE "C" NOT NULL,
                        status TEXT COLLATE "C" NOT NULL CHECK (status IN ('active', 'locked', 'disabled')),
                        created_at TEXT COLLATE "C" NOT NULL, updated_at TEXT COLLATE "C" NOT NULL,
                        PRIMARY KEY (tenant_id, id))
                    """,
                    // E-mail is the login name, so it is unique across tenants (stored lower-case).
                    "CREATE UNIQUE INDEX users_email ON users (email)",
                    // The auth service looks users up by ID alone (the ID in a token or credential).
                    "CREATE UNIQUE INDEX users_id ON users (id)",
                    """
                    CREATE TABLE user_roles (
                        tenant_id TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, role TEXT COLLATE "C" NOT NULL,
                        PRIMARY KEY (tenant_id, user_id, role),
                        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id))
                    """,
                ])
        ])
}
