import Hummingbird
import Platform

/// Builds routers with the middleware every NeuroERP router carries, in the order that makes
/// each one see what it needs: correlation first (so errors carry the trace), then the access
/// log (so it sees the final status), then the problem renderer, the body limit and authentication.
/// At the edge of a process, the security headers and then CORS wrap them all, so errors and
/// preflights carry them too.
public enum ServiceRouter {
    /// What sits in front of the routes.
    public struct Options: Sendable {
        /// Log and count every request here and add the security headers (the edge of a
        /// process); off for in-process hops.
        public var accessLog: Bool
        public var maximumBodyBytes: Int
        /// Verifies credentials and sets `context.identity`; `nil` leaves every request anonymous.
        public var authentication: (any CredentialVerifier)?
        /// Checks the gateway's identity assertions; `nil` ignores them and checks every credential.
        public var assertions: IdentityAssertion?
        /// Origins whose browser apps may call (CORS), at the edge only; empty: none.
        public var corsOrigins: [String]

        public init(
            accessLog: Bool = true, maximumBodyBytes: Int = 1 << 20, authentication: (any CredentialVerifier)? = nil,
            assertions: IdentityAssertion? = nil, corsOrigins: [String] = []
        ) {
            self.corsOrigins = corsOrigins
            self.accessLog = accessLog
            self.maximumBodyBytes = maximumBodyBytes
            self.authentication = authentication
            self.assertions = assertions
        }
    }

    public static func make(
        metrics: MetricsRegistry, options: Options = Options(), addRoutes: (Router<ServiceContext>) -> Void
    ) -> Router<ServiceContext> {
        let router = Router(context: ServiceContext.self)
        let routes = RouteTable()
        if options.accessLog { router.add(middleware: SecurityHeadersMiddleware()) }
        if options.accessLog, !options.corsOrigins.isEmpty { router.add(middleware: CrossOriginMiddleware(origins: options.corsOrigins)) }
        router.add(middleware: CorrelationMiddleware())
        if options.accessLog { router.add(middleware: AccessLogMiddleware(metrics: metrics)) }
        router.add(middleware: ProblemMiddleware(routes: routes))
        router.add(middleware: DeadlineMiddleware())
        router.add(middleware: BodyLimitMiddleware(maximumBytes: options.maximumBodyBytes))
        if let verifier = options.authentication { router.add(middleware: AuthenticationMiddleware(verifier: verifier, assertions: options.assertions)) }
        addRoutes(router)
        routes.load(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
        return router
    }
}
