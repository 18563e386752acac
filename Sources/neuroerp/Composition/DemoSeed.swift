import ComplianceService
import ERPKernel
import Logging
import Platform
import TransactionService
import UserService

/// `neuroerp serve --demo`: on first start, a demo tenant whose people can log in at once.
/// With the transactions service hosted, also its master data and three months of business.
enum DemoSeed {
    static let password = "demo-passwort-123"
    static let tenantName = "Demo Landhandel GmbH"
    static let people: [(email: String, name: String, roles: [String])] = [
        ("buchhaltung@demo.local", "Berta Buchhaltung", ["accounting"]),
        ("lager@demo.local", "Lars Lager", ["warehouse"]),
        ("qualitaet@demo.local", "Quirin Qualität", ["quality"]),
        ("pruefer@demo.local", "Paula Prüferin", ["auditor"]),
    ]

    /// Seeds once; a second start finds the admin and does nothing.
    static func seed(
        users: UserServiceModule, transactions: TransactionServiceModule?, compliance: ComplianceServiceModule?, logger: Logger
    ) async throws {
        guard try await !users.emailExists("admin@demo.local") else { return }
        guard await users.awaitAuth(limit: .seconds(60)) else {
            throw Problem.upstreamUnavailable("auth", detail: "The auth service did not answer within 60 s; the demo tenant was not created.")
        }
        let (tenant, admin) = try await users.createTenant(
            name: tenantName, adminEmail: "admin@demo.local", adminName: "Anna Admin", password: password)
        for person in people {
            _ = try await users.addUser(
                tenant: tenant, email: person.email, name: person.name, roles: person.roles, password: password,
                by: admin, trace: .generate())
        }
        // Outside a request: the scope a sharded database routes by is set here.
        try await TenantScope.$current.withValue(tenant) {
            try await seedBusiness(tenant: tenant, admin: admin, transactions: transactions, compliance: compliance, logger: logger)
        }
        let logins = (["admin@demo.local"] + people.map(\.email)).joined(separator: ", ")
        logger.notice("demo tenant created", metadata: ["tenant.id": .string(tenant.description), "demo.logins": .string(logins)])
        print("Demo tenant \"\(tenantName)\" (\(tenant)): log in as \(logins) with the password \(password)")
    }

    private static func seedBusiness(
        tenant: TenantID, admin: EntityID, transactions: TransactionServiceModule?, compliance: ComplianceServiceModule?, logger: Logger
    ) async throws {
        if let transactions {
            var stocked: [(article: EntityID, batch: EntityID, approval: String?)] = []
            let posted = try await transactions.seedDemoBusiness(tenant: tenant, actor: admin) { goods in
                stocked = goods
                try await compliance?.seedDemoQuality(tenant: tenant, actor: admin, goods: goods)
            }
            try await compliance?.seedDemoFindings(tenant: tenant, actor: admin, goods: stocked)
            logger.notice("demo business posted", metadata: ["demo.transactions": .stringConvertible(posted)])
        }
    }
}
