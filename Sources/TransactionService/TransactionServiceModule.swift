import ERPKernel
import Hummingbird
import NIOCore
import Platform
import ServiceRuntime

/// The transactions service: master data, business transactions, stock and the double-entry
/// ledger (SKR03). Owns its tables in the Main DB.
public struct TransactionServiceModule: ServiceModule {
    public static let name = ServiceName.transactions
    public static func migrations(for dialect: SQLDialect) -> MigrationTrack {
        dialect == .sqlite ? TransactionMigrations.track : TransactionMigrations.postgresTrack
    }
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
        masterData = MasterDataStore(database: database, metrics: environment.metrics, shared: environment.mode == .split)
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

    /// Runs a POST under its `Idempotency-Key` (see `IdempotencyKeys.run`).
    func idempotent(
        _ request: Request, body: ByteBuffer, tenant: TenantID, run: (IdempotencyKey?) async throws -> StoredResponse
    ) async throws -> Response {
        try await idempotency.run(request, body: body, tenant: tenant, run)
    }
}
