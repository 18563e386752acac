import ERPKernel
import ServiceRuntime

/// The documents service. Documents with versions, retention locks and e-invoices. Owns the Document DB.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct DocumentServiceModule: ServiceModule {
    public static let name = ServiceName.documents
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
