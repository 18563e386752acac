import ERPKernel
import ServiceRuntime

/// The transactions service. Master data, business transactions, stock and the double-entry ledger. Owns tables in the Main DB.
///
/// So far it answers the routes every service has (its internal info); its own API arrives with
/// the issue that builds it.
public struct TransactionServiceModule: ServiceModule {
    public static let name = ServiceName.transactions
    public let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) {
        self.environment = environment
    }
}
