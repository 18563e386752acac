/// Who is calling: established from a verified access token, never from anything the caller
/// merely claims. Every tenant-owned query is scoped by `tenantID`.
public struct Identity: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case user
        case apiKey = "api_key"
    }

    public let kind: Kind
    /// The user ID or the API key ID.
    public let subject: EntityID
    public let tenantID: TenantID
    public let roles: [String]
    public let permissions: Set<Permission>

    public init(kind: Kind, subject: EntityID, tenantID: TenantID, roles: [String], permissions: Set<Permission>) {
        self.kind = kind
        self.subject = subject
        self.tenantID = tenantID
        self.roles = roles
        self.permissions = permissions
    }

    /// - Throws: a 403 `Problem` naming the missing permission.
    public func require(_ permission: Permission) throws(Problem) {
        guard permissions.contains(permission) else { throw .forbidden(missing: permission) }
    }
}

extension Problem {
    public static func unauthenticated(_ detail: String) -> Problem {
        Problem(
            status: 401, code: "unauthenticated", title: "Authentication required", detail: detail,
            category: .authentication, headers: ["WWW-Authenticate": "Bearer"])
    }

    public static func forbidden(missing permission: Permission) -> Problem {
        Problem(
            status: 403, code: "forbidden", title: "Permission missing",
            detail: "This needs the permission \(permission.rawValue).", category: .authorization)
    }
}
