import ComplianceService
import ERPKernel
import ERPTesting
import Hummingbird
import Platform
import Foundation
import HummingbirdTesting
import Testing
import TransactionService
import UserService
@testable import neuroerp

@Suite struct DemoSeedTests {
    @Test func theDemoTenantsPeopleCanLogInWithTheirRoles() async throws {
        let process = try await assembleProcess(["bcryptCost": "4"])
        let users = process.modules.compactMap { $0 as? UserServiceModule }.first!
        let transactions = process.modules.compactMap { $0 as? TransactionServiceModule }.first
        let compliance = process.modules.compactMap { $0 as? ComplianceServiceModule }.first
        try await DemoSeed.seed(users: users, transactions: transactions, compliance: compliance, logger: TestDatabase.logger)
        // A second start changes nothing.
        try await DemoSeed.seed(users: users, transactions: transactions, compliance: compliance, logger: TestDatabase.logger)
        let relays = process.background.compactMap { $0 as? OutboxRelay }
        try await Application(router: process.router).test(.router) { client in
            let admin = try await client.tokens("admin@demo.local", DemoSeed.password).access_token
            let list = try await client.get("/api/v1/users", token: admin).json()
            let people = (list["data"] as? [[String: Any]] ?? []).compactMap { $0["email"] as? String }.sorted()
            #expect(people == ["admin@demo.local", "buchhaltung@demo.local", "lager@demo.local", "pruefer@demo.local", "qualitaet@demo.local"])
            let auditor = try await client.tokens("pruefer@demo.local", DemoSeed.password).access_token
            #expect(try await client.get("/api/v1/users", token: auditor).status == .ok)
            let write = try await client.send(.patch, "/api/v1/users/me", token: auditor, json: #"{"name": "P"}"#)
            #expect(write.status == .ok)  // one's own profile is everyone's
            let tenant = try await client.get("/api/v1/tenants/current", token: auditor).json()
            #expect(tenant["name"] as? String == DemoSeed.tenantName)
            // Three months of business: posted, balanced, in stock.
            let accountant = try await client.tokens("buchhaltung@demo.local", DemoSeed.password).access_token
            let sales = (try await client.get("/api/v1/transactions?kind=sale&limit=500", token: accountant).json()["data"] as? [[String: Any]]) ?? []
            #expect(sales.count > 50)
            let year = sales.compactMap { ($0["date"] as? String)?.prefix(4) }.max() ?? "2026"
            let trial = try await client.get("/api/v1/ledger/trial-balance?fiscalYear=\(year)", token: accountant).json()
            #expect((trial["totalDebitMinor"] as? Int ?? 0) > 0)
            #expect(trial["totalDebitMinor"] as? Int == trial["totalCreditMinor"] as? Int)
            // Quality control released the demo batches before they moved; since then one came with
            // conditions, one failed its check (with an open alert) and the PSM approval ended.
            let quality = try await client.tokens("qualitaet@demo.local", DemoSeed.password).access_token
            let batches = (try await client.get("/api/v1/compliance/batches", token: quality).json()["data"] as? [[String: Any]]) ?? []
            #expect(batches.compactMap { $0["status"] as? String }.sorted() == ["blocked", "conditional", "released", "released"])
            let alerts = (try await client.get("/api/v1/compliance/alerts?status=open", token: quality).json()["data"] as? [[String: Any]]) ?? []
            #expect(alerts.map { $0["property"] as? String } == ["moisture"])
            let approvals = (try await client.get("/api/v1/compliance/psm-approvals", token: quality).json()["data"] as? [[String: Any]]) ?? []
            #expect(approvals.count == 1 && (approvals.first?["expiresOn"] as? String ?? "9999") < CivilDate(Date()).description)
            // The demo activity is in the audit trail from the start, and the demo auditor reads it.
            for relay in relays { try await relay.flush() }
            let trail = (try await client.get("/api/v1/audit/events?limit=500", token: auditor).json()["data"] as? [[String: Any]]) ?? []
            let actions = Set(trail.compactMap { $0["action"] as? String })
            #expect(actions.isSuperset(of: ["users.user.created", "transactions.transaction.posted", "compliance.batch.status_changed"]))
            #expect(try await client.get("/api/v1/audit/verify", token: auditor).json()["valid"] as? Bool == true)
        }
        await process.close()
    }
}

