import ERPKernel
import Hummingbird
import Platform
import ServiceLifecycle
import ServiceRuntime

/// The compliance service: rule sets and batch checks, batch quality status, monitoring and
/// alerts, the PSM register, traceability and recall, and the gate on transactions.
/// Owns the Compliance DB.
public struct ComplianceServiceModule: ServiceModule {
    public static let name = ServiceName.compliance
    public static func migrations(for dialect: SQLDialect) -> MigrationTrack {
        dialect == .sqlite ? ComplianceMigrations.track : ComplianceMigrations.postgresTrack
    }
    public static var openAPI: OpenAPIFragment { ComplianceOpenAPI.fragment }
    public let environment: ServiceEnvironment
    /// The answer to the transactions service's "may these batches move?" in this process.
    public let gate: ComplianceGate
    let batches: BatchStatusStore
    let register: PSMRegister
    let ruleSets: RuleSetStore
    let checks: BatchCheckStore
    let monitoring: MonitoringStore
    let traces: TraceStore
    let movements: MovementConsumer
    let idempotency: IdempotencyKeys
    let masterData: MasterDataConsumer

    public init(environment: ServiceEnvironment) {
        self.environment = environment
        let database = environment.database!
        gate = ComplianceGate(database: database)
        batches = BatchStatusStore(database: database)
        register = PSMRegister(database: database)
        ruleSets = RuleSetStore(database: database)
        checks = BatchCheckStore(database: database)
        monitoring = MonitoringStore(database: database)
        traces = TraceStore(database: database)
        movements = MovementConsumer(inbox: EventInbox(database: database, consumer: "compliance.movements"))
        idempotency = IdempotencyKeys(database: database)
        masterData = MasterDataConsumer(inbox: EventInbox(database: database, consumer: "compliance.master-data"), gate: gate)
    }

    public func addRoutes(to router: Router<ServiceContext>) {
        addStandardRoutes(to: router)
        addBatchRoutes(to: router)
        addPSMRoutes(to: router)
        addCheckRoutes(to: router)
        addMonitoringRoutes(to: router)
        addTraceRoutes(to: router)
    }

    public var subscriptions: [EventSubscriber] { [masterData.subscriber, movements.subscriber] }

    public var backgroundServices: [any Service] { [PSMExpiryWatch(register: register, logger: environment.logger)] }
}
