import AuditService
import AuthService
import ComplianceService
import DashboardService
import DocumentService
import ERPKernel
import Gateway
import NotificationService
import Platform
import ReportingService
import ServiceRuntime
import TransactionService
import UserService

/// The one place that knows every service type.
enum ServiceFactory {
    static let moduleTypes: [ServiceName: any ServiceModule.Type] = [
        .gateway: GatewayModule.self, .auth: AuthServiceModule.self, .users: UserServiceModule.self,
        .transactions: TransactionServiceModule.self, .compliance: ComplianceServiceModule.self,
        .documents: DocumentServiceModule.self, .notifications: NotificationServiceModule.self,
        .reporting: ReportingServiceModule.self, .dashboard: DashboardServiceModule.self, .audit: AuditServiceModule.self,
    ]

    /// Every service but the gateway, which needs more than an environment.
    /// - Parameter clearance: the compliance gate the transactions service asks, if any.
    static func make(
        _ service: ServiceName, environment: ServiceEnvironment, configuration: ServeConfiguration,
        clearance: (any BatchClearance)? = nil
    ) -> any ServiceModule {
        switch service {
        case .gateway: preconditionFailure("the gateway is assembled by ProcessAssembly")
        case .auth:
            AuthServiceModule(
                environment: environment,
                settings: AuthSettings(
                    accessTokenLifetime: configuration.accessTokenLifetime,
                    refreshTokenLifetime: configuration.refreshTokenLifetime, bcryptCost: UInt8(configuration.bcryptCost),
                    signingKeyMaximumAge: configuration.signingKeyRotation))
        case .users: UserServiceModule(environment: environment)
        case .transactions: TransactionServiceModule(environment: environment, clearance: clearance)
        case .compliance: ComplianceServiceModule(environment: environment)
        case .documents: DocumentServiceModule(environment: environment)
        case .notifications: NotificationServiceModule(environment: environment)
        case .reporting: ReportingServiceModule(environment: environment)
        case .dashboard: DashboardServiceModule(environment: environment)
        case .audit: AuditServiceModule(environment: environment)
        }
    }

    /// The public API of the nine services behind the gateway, for its `/openapi.json` in any mode.
    static var openAPIFragments: [OpenAPIFragment] {
        ServiceName.allCases.filter { $0 != .gateway }.map { moduleTypes[$0]!.openAPI }
    }

    /// The platform track and the track of every service that keeps its tables in `database`.
    static func migrationTracks(in database: DatabaseName, dialect: SQLDialect) -> [MigrationTrack] {
        [PlatformMigrations.track(for: dialect)]
            + ServiceName.allCases.filter { $0.database == database }.map { moduleTypes[$0]!.migrations(for: dialect) }
    }
}
