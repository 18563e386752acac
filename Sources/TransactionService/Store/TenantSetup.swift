import ERPKernel
import Foundation
import Platform
import Synchronization

/// Seeds a tenant's chart of accounts and tax codes the first time the tenant posts or asks.
final class TenantSetup: Sendable {
    private let database: any SQLDatabase
    /// Tenants known to be seeded, so the hot path asks the database only once per tenant.
    private let seeded = Mutex<Set<TenantID>>([])

    init(database: any SQLDatabase) { self.database = database }

    /// Makes sure the tenant is seeded, in its own write when needed.
    func ensure(_ tenant: TenantID) async throws {
        guard !seeded.withLock({ $0.contains(tenant) }) else { return }
        try await database.write { tx in try Self.seed(tenant, in: tx) }
        seeded.withLock { _ = $0.insert(tenant) }
    }

    /// Seeds inside the caller's write if the tenant has no chart yet. Idempotent.
    static func seed(_ tenant: TenantID, in tx: any SQLExecutor) throws {
        let id = DatabaseValue.text(tenant.description)
        guard try tx.query("SELECT 1 FROM tenant_setup WHERE tenant_id = ?", [id]).isEmpty else { return }
        for account in SKR03.accounts {
            try tx.execute(
                "INSERT INTO accounts (tenant_id, number, name, type) VALUES (?, ?, ?, ?)",
                [id, .text(account.number), .text(account.name), .text(account.type.rawValue)])
        }
        for code in SKR03.taxCodes {
            try tx.execute(
                """
                INSERT INTO tax_codes (tenant_id, code, name, rate_basis_points, kind, revenue_account, output_tax_account, input_tax_account)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [id, .text(code.code), .text(code.name), .integer(code.rateBasisPoints), .text(code.kind.rawValue),
                 .text(code.revenueAccount), code.outputTaxAccount.map { .text($0) } ?? .null,
                 code.inputTaxAccount.map { .text($0) } ?? .null])
        }
        try tx.execute(
            "INSERT INTO tenant_setup (tenant_id, chart, seeded_at) VALUES (?, ?, ?)",
            [id, .text(SKR03.name), .text(RFC3339.now())])
    }
}
