import ERPKernel
import ServiceRuntime

/// The auth service. Login, short-lived JWT access tokens with refresh rotation, JWKS, MFA and API keys.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct AuthServiceModule: ServiceModule {
    public static let name = ServiceName.auth
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
