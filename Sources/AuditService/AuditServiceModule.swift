import ERPKernel
import ServiceRuntime

/// The audit service. The append-only, tamper-evident trail of what every service did. Owns the Audit DB.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct AuditServiceModule: ServiceModule {
    public static let name = ServiceName.audit
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
