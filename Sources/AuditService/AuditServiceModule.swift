import ERPKernel
import Hummingbird
import Platform
import ServiceLifecycle
import ServiceRuntime

/// The audit service: the append-only, tamper-evident trail of what every service did, one hash
/// chain per tenant with signed checkpoints, its queries, verification and export. Owns the Audit DB.
public struct AuditServiceModule: ServiceModule {
    public static let name = ServiceName.audit
    public static func migrations(for dialect: SQLDialect) -> MigrationTrack {
        dialect == .sqlite ? AuditMigrations.track : AuditMigrations.postgresTrack
    }
    public static var openAPI: OpenAPIFragment { AuditOpenAPI.fragment }
    public let environment: ServiceEnvironment
    let ledger: AuditLedger

    public init(environment: ServiceEnvironment) {
        self.environment = environment
        ledger = AuditLedger(database: environment.database!)
    }

    public func addRoutes(to router: Router<ServiceContext>) {
        addStandardRoutes(to: router)
        addAuditRoutes(to: router)
    }

    public var subscriptions: [EventSubscriber] { [AuditConsumer(ledger: ledger).subscriber] }

    public var backgroundServices: [any Service] { [CheckpointSealer(ledger: ledger, logger: environment.logger)] }
}

extension AuditServiceModule {
    /// The verdict on a tenant's trail, for callers in this process (the bench).
    public func verify(tenant: TenantID) async throws -> ChainReport { try await ledger.verify(tenant: tenant) }

    /// Writes a tenant's trail as the export route does, for callers in this process (the bench).
    public func export(tenant: TenantID, _ write: ([UInt8]) async throws -> Void) async throws {
        try await ledger.export(tenant: tenant, write)
    }
}
