/// The ten services of the architecture, as data every layer may know without importing them.
///
/// The gateway routes by these prefixes; the composition root uses the database names to open
/// one file (or schema) per service database.
public enum ServiceName: String, CaseIterable, Sendable, Codable, Comparable {
    case gateway, auth, users, transactions, compliance, documents, notifications, reporting, dashboard, audit

    /// Path prefixes under which the gateway forwards public requests to this service.
    public var publicPathPrefixes: [String] {
        switch self {
        case .gateway: []
        case .auth: ["/api/v1/auth", "/.well-known/jwks.json"]
        case .users: ["/api/v1/users", "/api/v1/tenants", "/api/v1/roles"]
        case .transactions:
            [
                "/api/v1/articles", "/api/v1/batches", "/api/v1/partners", "/api/v1/warehouses",
                "/api/v1/accounts", "/api/v1/tax-codes", "/api/v1/fiscal-periods", "/api/v1/transactions",
                "/api/v1/journal-entries", "/api/v1/ledger", "/api/v1/payments", "/api/v1/open-items", "/api/v1/stock",
            ]
        case .compliance: ["/api/v1/compliance"]
        case .documents: ["/api/v1/documents"]
        case .notifications: ["/api/v1/notifications"]
        case .reporting: ["/api/v1/reports"]
        case .dashboard: ["/api/v1/dashboard"]
        case .audit: ["/api/v1/audit"]
        }
    }

    /// Prefix of the routes only other services may call; the gateway never forwards these.
    public var internalPathPrefix: String { "/internal/v1/\(rawValue)" }

    /// The database this service owns, if any. Services on the same database keep separate
    /// migration histories in it.
    public var database: DatabaseName? {
        switch self {
        case .gateway, .notifications, .dashboard: nil
        case .auth, .users, .transactions: .main
        case .compliance: .compliance
        case .documents: .documents
        case .reporting: .analytics
        case .audit: .audit
        }
    }

    /// Whether its data spreads over the database shards when several are configured: the
    /// ledger and stock, which carry the write load and most of the rows. Logins and users
    /// stay on the home database, where a login finds any tenant's user by e-mail.
    public var isTenantSharded: Bool { self == .transactions }

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The seed's databases: Main, Compliance, Document, Analytics and Audit.
public enum DatabaseName: String, CaseIterable, Sendable, Codable {
    case main, compliance, documents, analytics, audit
}
