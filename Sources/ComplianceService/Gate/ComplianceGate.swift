import ERPKernel
import Platform
import Synchronization

/// The compliance service's answer to "may these batches move?", for the transactions service
/// in the same process.
///
/// Answers come from memory: each tenant's batch statuses, approvals and article links are read
/// once, then kept fresh by this service's own writes, so a posting pays no database read and no
/// network round trip. A status change marks the batch before its write starts and updates the
/// entry after the commit, before it answers; a sale asked after that answer always sees the
/// change, and one asked during the write is refused when the new status refuses.
public final class ComplianceGate: BatchClearance {
    private let database: any SQLDatabase
    private let tenants = Mutex<[TenantID: TenantClearance]>([:])

    init(database: any SQLDatabase) { self.database = database }

    public func refusals(for batches: [BatchMovement], tenant: TenantID) async throws -> [BatchRefusal] {
        try await loaded(tenant).refusals(for: batches)
    }

    /// The tenant's entry, created empty (and unloaded) when it is new; updates go here.
    func clearance(_ tenant: TenantID) -> TenantClearance {
        tenants.withLock { tenants in
            if let existing = tenants[tenant] { return existing }
            let created = TenantClearance()
            tenants[tenant] = created
            return created
        }
    }

    /// The tenant's entry, read from the database the first time.
    func loaded(_ tenant: TenantID) async throws -> TenantClearance {
        let clearance = clearance(tenant)
        guard !clearance.isLoaded else { return clearance }
        let (batches, register) = try await database.read { reader in
            (try BatchStatusStore.statuses(tenant: tenant, in: reader), try PSMRegister.snapshot(tenant: tenant, in: reader))
        }
        clearance.load(batches: batches, expiries: register.expiries, links: register.links)
        return clearance
    }
}
