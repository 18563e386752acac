import ERPKernel
import ServiceRuntime

/// The notifications service. Alerts and messages to people and systems: in-app, e-mail, webhooks.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct NotificationServiceModule: ServiceModule {
    public static let name = ServiceName.notifications
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
