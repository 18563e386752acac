import ERPKernel
import Hummingbird
import Mesh
import ServiceRuntime

/// The API gateway: the one entry for browsers, apps and external systems.
///
/// Forwards each public path to the service that owns it (by the catalog's prefixes) through
/// the service's client, in-process or over HTTP alike, and answers the system routes itself.
public struct GatewayModule: ServiceModule {
    public static let name = ServiceName.gateway
    public let environment: ServiceEnvironment
    let directory: ServiceDirectory
    let openAPIDocument: JSONValue
    let statusBoard: ServiceStatusBoard
    let upstreamTimeout: Duration
    let rateLimiter: GatewayRateLimiter?
    let access: GatewayAccess
    let cache: ResponseCache?

    /// - Parameters:
    ///   - openAPIFragments: the public API of the other services, merged with the gateway's own into `/openapi.json`.
    ///   - upstreamTimeout: how long a forwarded request may take (default 5 s).
    ///   - statusMaxAge: how old the service list may be before it is asked again (default 1 s).
    ///   - rateLimiter: the rate limits of forwarded requests; nil: none.
    ///   - access: verifies callers and applies the access rules.
    ///   - cache: answers GETs that services marked as cacheable; nil: every request is forwarded.
    public init(
        environment: ServiceEnvironment, directory: ServiceDirectory, openAPIFragments: [OpenAPIFragment], access: GatewayAccess,
        cache: ResponseCache? = nil, upstreamTimeout: Duration = .seconds(5), statusMaxAge: Duration = .seconds(1),
        rateLimiter: GatewayRateLimiter? = nil
    ) {
        self.access = access
        self.cache = cache
        self.environment = environment
        self.directory = directory
        self.upstreamTimeout = upstreamTimeout
        self.rateLimiter = rateLimiter
        self.openAPIDocument = OpenAPIDocument.merge(openAPIFragments + [Self.ownOpenAPI], version: environment.version)
        self.statusBoard = ServiceStatusBoard(
            directory: directory, gatewayInfo: ServiceInfo(
                name: ServiceName.gateway.rawValue, version: environment.version, mode: environment.mode,
                address: "in-process", status: "up", databases: []),
            maxAge: statusMaxAge)
    }

    public static var openAPI: OpenAPIFragment { ownOpenAPI }

    public func addRoutes(to router: Router<ServiceContext>) {
        let document = openAPIDocument
        router.get("/openapi.json") { _, _ in try Response.json(document) }
        router.get("/api/v1/system/services") { _, context in
            Response.json(encoded: await statusBoard.current(trace: context.trace).page)
        }
        router.get("/api/v1/system/services/{name}") { _, context in
            let text = try context.parameters.require("name")
            guard let service = ServiceName(rawValue: text) else {
                throw Problem.notFound("There is no service named \(text); see /api/v1/system/services.")
            }
            return try Response.json(await statusBoard.info(of: service, trace: context.trace))
        }
        addForwardingRoutes(to: router)
    }
}

extension GatewayModule {
    /// The lane that forwards plain GETs and POSTs of verified callers without the router (see
    /// `GatewayFastLane`), for bodies within `maximumBodyBytes`; nil when no service is reached
    /// over HTTP (the embedded mode).
    public func fastLane(maximumBodyBytes: Int) -> GatewayFastLane? { GatewayFastLane(gateway: self, maximumBodyBytes: maximumBodyBytes) }
}
