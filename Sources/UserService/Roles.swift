import ERPKernel

/// The roles a user can hold and the permissions each grants. Fixed for now: the seed's
/// Landhandel needs these seven; custom roles per tenant can come later.
public struct Role: Sendable, Hashable, Codable {
    public let name: String
    public let description: String
    public let permissions: [Permission]

    public static let admin = Role(name: "admin", description: "Everything, including users and roles.", permissions: Permission.all)
    public static let accounting = Role(
        name: "accounting", description: "Books, payments, reports.",
        permissions: [.ledgerRead, .ledgerWrite, .transactionsRead, .transactionsPost, .masterDataRead, .reportsRead, .documentsRead, .documentsWrite])
    public static let sales = Role(
        name: "sales", description: "Customers, sales and their documents.",
        permissions: [.masterDataRead, .masterDataWrite, .transactionsRead, .transactionsPost, .stockRead, .documentsRead, .documentsWrite])
    public static let warehouse = Role(
        name: "warehouse", description: "Goods in and out, stock, silos.",
        permissions: [.masterDataRead, .stockRead, .stockWrite, .transactionsRead, .transactionsPost, .complianceRead])
    public static let quality = Role(
        name: "quality", description: "Batch checks, monitoring, recalls.",
        permissions: [.masterDataRead, .stockRead, .complianceRead, .complianceWrite, .documentsRead])
    public static let auditor = Role(
        name: "auditor", description: "Reads everything, changes nothing (the tax auditor's role).",
        permissions: Permission.all.filter(\.isRead))
    public static let integration = Role(
        name: "integration", description: "External systems: the scale, a shop, the tax advisor's tool.",
        permissions: [.masterDataRead, .transactionsRead, .transactionsPost, .stockRead])

    public static let all: [Role] = [admin, accounting, sales, warehouse, quality, auditor, integration]

    public static func named(_ name: String) -> Role? { all.first { $0.name == name } }

    /// The union of the roles' permissions.
    public static func permissions(of roles: [String]) -> Set<Permission> {
        Set(roles.compactMap(named).flatMap(\.permissions))
    }
}
