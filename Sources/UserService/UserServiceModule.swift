import ERPKernel
import ServiceRuntime

/// The users service. Tenants (Mandanten), users, roles and permissions, profiles. Owns tables in the Main DB.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct UserServiceModule: ServiceModule {
    public static let name = ServiceName.users
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
