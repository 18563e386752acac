import ERPKernel
import Foundation
import Platform

/// Tenants, users and role assignments in the Main DB. Every query names its tenant.
struct UserStore: Sendable {
    let database: any SQLDatabase

    /// Creates a tenant and its first administrator in one transaction.
    func createTenant(_ tenant: Tenant, admin: User, events: [EventEnvelope]) async throws {
        try await database.write { tx in
            try tx.execute(
                "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                [.text(tenant.id.description), .text(tenant.name), .text(RFC3339.string(from: tenant.createdAt))])
            try insert(admin, in: tx)
            try Outbox.append(events, in: tx)
        }
    }

    /// - Throws: 409 when the e-mail is taken (in any tenant: it is the login name).
    func createUser(_ user: User, events: [EventEnvelope]) async throws {
        try await database.write { tx in
            try insert(user, in: tx)
            try Outbox.append(events, in: tx)
        }
    }

    /// Removes a user whose creation could not be completed (its credentials were refused).
    func removeIncompleteUser(tenant: TenantID, id: EntityID) async throws {
        try await database.write { tx in
            try tx.execute("DELETE FROM user_roles WHERE tenant_id = ? AND user_id = ?", [.text(tenant.description), .text(id.description)])
            try tx.execute("DELETE FROM users WHERE tenant_id = ? AND id = ?", [.text(tenant.description), .text(id.description)])
        }
    }

    func user(tenant: TenantID, id: EntityID) async throws -> User? {
        try await database.read { reader in
            let rows = try reader.query(
                "SELECT * FROM users WHERE tenant_id = ? AND id = ?", [.text(tenant.description), .text(id.description)])
            guard let row = rows.first else { return nil }
            return try Self.user(from: row, roles: roles(of: id, tenant: tenant, reader: reader))
        }
    }

    /// One page of a tenant's users in ID (creation) order.
    func users(tenant: TenantID, page: PageRequest) async throws -> Page<User> {
        try await database.read { reader in
            let rows = try reader.query(
                "SELECT * FROM users WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
                [.text(tenant.description), .text(page.cursor ?? ""), .integer(page.limit + 1)])
            let pageRows = Array(rows.prefix(page.limit))
            // One query for the roles of the whole page, not one per user.
            let ids = pageRows.compactMap { $0.column("id")?.string }
            var roles: [String: [String]] = [:]
            if !ids.isEmpty {
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                let roleRows = try reader.query(
                    "SELECT user_id, role FROM user_roles WHERE tenant_id = ? AND user_id IN (\(marks)) ORDER BY role",
                    [.text(tenant.description)] + ids.map { .text($0) })
                for row in roleRows {
                    guard let user = row.column("user_id")?.string, let role = row.column("role")?.string else { continue }
                    roles[user, default: []].append(role)
                }
            }
            let users = try pageRows.map { row in try Self.user(from: row, roles: roles[row.column("id")?.string ?? ""] ?? []) }
            return Page(data: users, nextCursor: rows.count > page.limit ? users.last?.id.description : nil)
        }
    }

    /// Applies a change and records its event; `nil` when there is no such user in the tenant.
    func update(tenant: TenantID, id: EntityID, apply: @escaping @Sendable (inout User) -> [EventEnvelope]) async throws -> User? {
        try await database.write { tx in
            let rows = try tx.query("SELECT * FROM users WHERE tenant_id = ? AND id = ?", [.text(tenant.description), .text(id.description)])
            guard let row = rows.first else { return nil }
            let before = try Self.user(from: row, roles: roles(of: id, tenant: tenant, reader: tx))
            var after = before
            let events = apply(&after)
            guard after != before else { return before }
            after.updatedAt = Date()
            try tx.execute(
                "UPDATE users SET name = ?, locale = ?, status = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
                [.text(after.name), .text(after.locale), .text(after.status.rawValue), .text(RFC3339.string(from: after.updatedAt)),
                 .text(tenant.description), .text(id.description)])
            if after.roles != before.roles {
                try tx.execute("DELETE FROM user_roles WHERE tenant_id = ? AND user_id = ?", [.text(tenant.description), .text(id.description)])
                for role in after.roles {
                    try tx.execute(
                        "INSERT INTO user_roles (tenant_id, user_id, role) VALUES (?, ?, ?)",
                        [.text(tenant.description), .text(id.description), .text(role)])
                }
            }
            try Outbox.append(events, in: tx)
            return after
        }
    }

    func tenant(_ id: TenantID) async throws -> Tenant? {
        try await database.read { reader in
            guard let row = try reader.query("SELECT * FROM tenants WHERE id = ?", [.text(id.description)]).first,
                let name = row.column("name")?.string,
                let created = row.column("created_at")?.string.flatMap(RFC3339.date(from:))
            else { return nil }
            return Tenant(id: id, name: name, createdAt: created)
        }
    }

    /// The user with this login e-mail, in whichever tenant.
    func user(email: String) async throws -> User? {
        try await user(where: "email = ?", .text(email.lowercased()))
    }

    /// The user with this ID, in whichever tenant (IDs are unique across tenants).
    func user(id: EntityID) async throws -> User? {
        try await user(where: "id = ?", .text(id.description))
    }

    private func user(where condition: String, _ value: DatabaseValue) async throws -> User? {
        try await database.read { reader in
            guard let row = try reader.query("SELECT * FROM users WHERE \(condition)", [value]).first,
                let id = row.column("id")?.string.flatMap(EntityID.init),
                let tenant = row.column("tenant_id")?.string.flatMap(TenantID.init)
            else { return nil }
            return try Self.user(from: row, roles: roles(of: id, tenant: tenant, reader: reader))
        }
    }

    private func insert(_ user: User, in tx: any SQLExecutor) throws {
        let taken = try tx.query("SELECT 1 FROM users WHERE email = ?", [.text(user.email)])
        guard taken.isEmpty else { throw Problem.conflict("email_taken", "A user with the e-mail \(user.email) exists already.") }
        try tx.execute(
            """
            INSERT INTO users (tenant_id, id, email, name, locale, status, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(user.tenantId.description), .text(user.id.description), .text(user.email), .text(user.name),
             .text(user.locale), .text(user.status.rawValue), .text(RFC3339.string(from: user.createdAt)),
             .text(RFC3339.string(from: user.updatedAt))])
        for role in user.roles {
            try tx.execute(
                "INSERT INTO user_roles (tenant_id, user_id, role) VALUES (?, ?, ?)",
                [.text(user.tenantId.description), .text(user.id.description), .text(role)])
        }
    }

    private func roles(of user: EntityID, tenant: TenantID, reader: any SQLExecutor) throws -> [String] {
        try reader.query(
            "SELECT role FROM user_roles WHERE tenant_id = ? AND user_id = ? ORDER BY role",
            [.text(tenant.description), .text(user.description)]
        ).compactMap { $0.column("role")?.string }
    }

    private static func user(from row: DatabaseRow, roles: [String]) throws -> User {
        guard let id = row.column("id")?.string.flatMap(EntityID.init),
            let tenant = row.column("tenant_id")?.string.flatMap(TenantID.init),
            let email = row.column("email")?.string, let name = row.column("name")?.string,
            let locale = row.column("locale")?.string,
            let status = row.column("status")?.string.flatMap(UserStatus.init(rawValue:)),
            let created = row.column("created_at")?.string.flatMap(RFC3339.date(from:)),
            let updated = row.column("updated_at")?.string.flatMap(RFC3339.date(from:))
        else { throw StoredRowUnreadable(table: "users") }
        return User(id: id, tenantId: tenant, email: email, name: name, locale: locale, status: status, roles: roles, createdAt: created, updatedAt: updated)
    }
}

/// A stored row that does not decode: the database was changed outside the service.
struct StoredRowUnreadable: Error, CustomStringConvertible {
    let table: String
    var description: String { "a row of \(table) cannot be read" }
}
