import ERPKernel
import ServiceRuntime

/// The dashboard service. KPI tiles for the start page, cached and updated live.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct DashboardServiceModule: ServiceModule {
    public static let name = ServiceName.dashboard
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
