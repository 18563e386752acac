import ERPKernel
import ServiceRuntime

/// The compliance service. Batch quality checks, batch status, monitoring, the PSM register and the gate on transactions. Owns the Compliance DB.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct ComplianceServiceModule: ServiceModule {
    public static let name = ServiceName.compliance
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
