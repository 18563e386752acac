import ERPKernel
import Hummingbird
import Platform
import ServiceLifecycle

/// One of the ten services, as the composition root sees it. The same module runs in the
/// embedded process or alone; only its `ServiceEnvironment` differs.
public protocol ServiceModule: Sendable {
    static var name: ServiceName { get }
    /// The service's own schema history in `dialect`; empty for a service that owns no tables yet.
    static func migrations(for dialect: SQLDialect) -> MigrationTrack
    /// The public API this service owns, merged into the gateway's `/openapi.json`.
    static var openAPI: OpenAPIFragment { get }
    var environment: ServiceEnvironment { get }
    /// Adds the service's routes: public ones under its catalog prefixes, internal ones under
    /// `/internal/v1/<name>/`.
    func addRoutes(to router: Router<ServiceContext>)
    /// Dependencies that must answer before the process is ready.
    var healthChecks: [HealthCheck] { get }
    /// Long-running work (consumers, schedulers) run in the process's service group.
    var backgroundServices: [any Service] { get }
    /// The events this service consumes; registered with the bus before the process serves.
    var subscriptions: [EventSubscriber] { get }
}

extension ServiceModule {
    public static func migrations(for dialect: SQLDialect) -> MigrationTrack { MigrationTrack(name: name.rawValue, migrations: []) }
    public static var openAPI: OpenAPIFragment { OpenAPIFragment() }
    public var name: ServiceName { Self.name }
    public var backgroundServices: [any Service] { [] }
    public var subscriptions: [EventSubscriber] { [] }

    public var healthChecks: [HealthCheck] {
        guard let database = environment.database else { return [] }
        return [
            HealthCheck(name: "database:\(database.name)") {
                for partition in database.partitions { _ = try await partition.read { try $0.query("SELECT 1") } }
            }
        ]
    }

    public func addRoutes(to router: Router<ServiceContext>) { addStandardRoutes(to: router) }

    /// The internal routes every service answers: `GET /internal/v1/<name>/info`.
    ///
    /// The answer is computed once: migrations run only at start, before the process serves.
    public func addStandardRoutes(to router: Router<ServiceContext>) {
        let cached = CachedResponseBody()
        router.get(RouterPath(name.internalPathPrefix + "/info")) { _, _ in
            let body = try await cached.value { try JSONCoding.encoder.encode(try await info()) }
            return Response.json(encoded: body)
        }
    }

    /// Name, version, mode and migration versions; address and status are the caller's view.
    public func info() async throws -> ServiceInfo {
        var databases: [DatabaseInfo] = []
        if let database = environment.database {
            let migrator = Migrator(database: database, logger: environment.logger)
            databases.append(
                DatabaseInfo(
                    name: database.name, migrationVersion: try await migrator.version(of: Self.migrations(for: database.dialect).name),
                    platformMigrationVersion: try await migrator.version(of: PlatformMigrations.track(for: database.dialect).name)))
        }
        return ServiceInfo(
            name: name.rawValue, version: environment.version, mode: environment.mode, address: "in-process",
            status: "up", databases: databases)
    }
}
