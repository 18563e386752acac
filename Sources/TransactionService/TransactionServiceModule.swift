import ERPKernel
import Hummingbird
import NIOCore
import Platform
import ServiceRuntime

/// The transactions service: master data, business transactions, stock and the double-entry
/// ledger (SKR03). Owns its tables in the Main DB.
public struct TransactionServiceModule: ServiceModule {
    public static let name = ServiceName.transactions
    public static var migrations: MigrationTrack { TransactionMigrations.track }
    public static var openAPI: OpenAPIFragment { TransactionOpenAPI.fragment }
    public let environment: ServiceEnvironment
    let masterData: MasterDataStore
    let processor: TransactionProcessor
    let ledger: LedgerPostings
    let queries: LedgerQueries
    let idempotency: IdempotencyKeys

    /// - Parameter clearance: the compliance gate asked before batches leave stock; `nil` applies
    ///   only the rules on this service's own data (PSM approval and batch expiry dates).
    public init(environment: ServiceEnvironment, clearance: (any BatchClearance)? = nil) {
        self.environment = environment
        let database = environment.database!
        let tenantSetup = TenantSetup(database: database)
        masterData = MasterDataStore(database: database)
        processor = TransactionProcessor(database: database, masterData: masterData, tenantSetup: tenantSetup, clearance: clearance)
        ledger = LedgerPostings(database: database, tenantSetup: tenantSetup)
        queries = LedgerQueries(database: database)
        idempotency = IdempotencyKeys(database: database)
    }

    public func addRoutes(to router: Router<ServiceContext>) {
        addStandardRoutes(to: router)
        addMasterDataRoutes(to: router)
        addSetupRoutes(to: router)
        addTransactionRoutes(to: router)
        addLedgerRoutes(to: router)
    }

    /// Runs a POST under its `Idempotency-Key`: a repeat answers what the first answered.
    ///
    /// The stored answer is not looked up first: a repeat runs until its write records the key
    /// and meets the stored one (the write is undone), or until it is refused on the way (a rule
    /// changed since); either way the stored answer, if there is one, is what it gets.
    func idempotent(
        _ request: Request, body: ByteBuffer, tenant: TenantID, run: (IdempotencyKey?) async throws -> StoredResponse
    ) async throws -> Response {
        guard let key = try IdempotencyKey.of(request, body: body, tenant: tenant) else { return try await run(nil).fresh }
        try idempotency.claim(key)
        defer { idempotency.release(key) }
        do {
            return try await run(key).fresh
        } catch {
            guard let stored = try await idempotency.stored(key) else { throw error }
            return stored.response
        }
    }
}
