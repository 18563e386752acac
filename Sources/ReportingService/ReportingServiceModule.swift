import ERPKernel
import ServiceRuntime

/// The reporting service. Read models fed by events: stock, sales, finance, DATEV and GoBD exports. Owns the Analytics DB.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct ReportingServiceModule: ServiceModule {
    public static let name = ServiceName.reporting
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
