import ComplianceService
import ERPKernel
import Foundation
import Gateway
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Mesh
import NIOCore
import Platform
import ServiceLifecycle
import ServiceRuntime
import Synchronization
import TransactionService
import UserService

/// Builds one process from its configuration: databases, ports, the hosted services, the
/// clients of the others, the router, and the lifecycle that runs and stops them in order.
struct ProcessAssembly {
    let configuration: ServeConfiguration
    let logger: Logger
    /// Seed the demo tenant on first start (`serve --demo`).
    var demo = false

    /// Everything a process runs, built and migrated but not yet serving.
    struct AssembledProcess {
        let router: Router<ServiceContext>
        let modules: [any ServiceModule]
        let background: [any Service]
        let databases: [DatabaseName: any SQLDatabase]
        /// The databases spread over shards; shard 0 of each is in `databases`.
        var sharded: [DatabaseName: ShardedDatabase] = [:]
        /// The connections to the services of other processes.
        let upstreamPools: [UpstreamConnectionPool]
        var bus: RedisStreamBus? = nil
        var redis: RedisClient? = nil
        /// Serves other processes over mTLS when set.
        var listenerTLS: MeshTLS? = nil
        /// The gateway's fast lane, when this process is a gateway and the lane is on.
        var fastLane: GatewayFastLane? = nil

        /// Closes the upstream client, the bus's consumers and the databases; call once serving
        /// has stopped.
        func close() async {
            for pool in upstreamPools { pool.close() }
            await bus?.close()
            await redis?.close()
            for database in sharded.values { await database.close() }
            for database in databases.values { await database.close() }
        }
    }

    func run() async throws {
        let started = ContinuousClock.now
        logEffectiveConfiguration()
        let process = try await build()
        do {
            if demo, let users = process.modules.compactMap({ $0 as? UserServiceModule }).first {
                try await DemoSeed.seed(
                    users: users, transactions: process.modules.compactMap({ $0 as? TransactionServiceModule }).first,
                    compliance: process.modules.compactMap({ $0 as? ComplianceServiceModule }).first, logger: logger)
            }
            try await serve(router: process.router, background: process.background, tls: process.listenerTLS, fastLane: process.fastLane, started: started)
        } catch {
            await process.close()
            throw error
        }
        await process.close()
        logger.info("stopped")
    }

    /// A process on a fixed port is the same consumer in the stream groups after a restart, so it
    /// takes up the entries it was handling when it died at once instead of after the reclaim time.
    private var streamSettings: StreamConsumer.Settings {
        configuration.port == 0 ? .init() : .init(consumerName: "\(ProcessInfo.processInfo.hostName):\(configuration.port)")
    }

    func build() async throws -> AssembledProcess {
        let mode: RunMode = configuration.isEmbedded ? .embedded : .split
        let hosted = configuration.services
        let databaseNames = Array(Set(hosted.compactMap(\.database))).sorted { $0.rawValue < $1.rawValue }
        let meshTLS = try configuration.tls.map { try MeshTLS(files: $0, logger: logger) }
        let upstreams = try makeUpstreamPools(tls: meshTLS)
        let databases = try await DatabaseSet.open(
            databaseNames, directory: configuration.dataDirectory, synchronous: configuration.sqliteSynchronous,
            readers: configuration.sqliteReaders, postgres: configuration.postgres, logger: logger)
        let sharded: [DatabaseName: ShardedDatabase]
        do {
            try await migrate(databases, hosted: hosted)
            sharded = try await ShardSet.open(configuration, hosted: hosted, homes: databases, logger: logger)
        } catch {
            await AssembledProcess(
                router: Router(context: ServiceContext.self), modules: [], background: [], databases: databases,
                upstreamPools: upstreams.values.flatMap { $0.map(\.pool) }
            ).close()
            throw error
        }
        // A sharded database reports its shards' pools added up, under its one name.
        let metrics = MetricsRegistry().addingProcessAndPools(databases.map { name, home in sharded[name] ?? home })
        // Redis Streams carry the events between processes when configured; otherwise every
        // event stays in this process, which is all the embedded mode needs.
        let redis = configuration.redis.map { RedisClient(configuration: $0, logger: logger) }
        let redisBus = redis.map { RedisStreamBus(client: $0, settings: streamSettings, logger: logger) }
        let bus: any EventBus = redisBus ?? InProcessEventBus()
        if redis == nil, mode == .split {
            logger.warning("split mode without --redis-url: events reach only the services of this process")
        }
        let cache = TieredCache(local: InProcessCache(maximumEntries: configuration.cacheMaxEntries), redis: redis, metrics: metrics)
        // Rate limits count in Redis when there is one, so every process of a service shares them.
        let rateLimits: any RateLimitStore = redis.map {
            GuardedRateLimitStore(RedisRateLimitStore(client: $0), failure: configuration.rateLimitFailure, logger: logger)
        } ?? InProcessRateLimitStore()
        let directoryBox = Mutex<ServiceDirectory?>(nil)
        func environment(for service: ServiceName) -> ServiceEnvironment {
            ServiceEnvironment(
                mode: mode, version: BuildInfo.version,
                database: service.database.flatMap { service.isTenantSharded ? sharded[$0] ?? databases[$0] : databases[$0] },
                bus: bus, cache: cache, rateLimits: rateLimits, metrics: metrics, logger: logger.with("service.name", service.rawValue),
                client: { other in directoryBox.withLock { $0! }.client(for: other) })
        }
        // The compliance gate answers the transactions service in process when both run here, and
        // over the mesh when the compliance service runs elsewhere.
        let compliance = hosted.contains(.compliance) ? ComplianceServiceModule(environment: environment(for: .compliance)) : nil
        let clearance: any BatchClearance = compliance?.gate
            ?? RemoteBatchClearance(timeout: configuration.upstreamTimeout) { directoryBox.withLock { $0! }.client(for: .compliance) }
        let modules: [any ServiceModule] = hosted.filter { $0 != .gateway }.map {
            $0 == .compliance
                ? compliance!
                : ServiceFactory.make($0, environment: environment(for: $0), configuration: configuration, clearance: clearance)
        }
        let verifier = makeVerifier(auth: { directoryBox.withLock { $0! }.client(for: .auth) })
        for subscriber in modules.flatMap(\.subscriptions) { await bus.subscribe(subscriber) }
        // Without a shared secret, assertions still spare the services in this process a second check.
        let assertions = configuration.meshSecret.map { IdentityAssertion(secret: Data($0.utf8)) } ?? .random()
        let (directory, balancers) = makeDirectory(
            modules: modules, metrics: metrics, upstreams: upstreams, verifier: verifier, assertions: assertions)
        directoryBox.withLock { $0 = directory }
        let access = GatewayAccess(verifier: verifier, assertions: assertions, rules: configuration.gatewayPolicy?.policy.access ?? [])
        let responseCache = hosted.contains(.gateway) && configuration.gatewayCacheEntries > 0
            ? ResponseCache(maximumEntries: configuration.gatewayCacheEntries, metrics: metrics) : nil
        if let responseCache {
            // Each gateway process hears every change, so its own group on the stream.
            let instance = configuration.port == 0 ? "\(ProcessInfo.processInfo.processIdentifier)" : "\(configuration.port)"
            await bus.subscribe(responseCache.invalidation(subscriberName: "gateway-cache-\(ProcessInfo.processInfo.hostName)-\(instance)"))
        }
        let gateway = hosted.contains(.gateway)
            ? GatewayModule(
                environment: environment(for: .gateway), directory: directory,
                openAPIFragments: ServiceFactory.openAPIFragments, access: access, cache: responseCache,
                upstreamTimeout: configuration.upstreamTimeout,
                statusMaxAge: configuration.statusMaxAge,
                rateLimiter: configuration.rateLimitRules.isEmpty
                    ? nil : GatewayRateLimiter(rules: configuration.rateLimitRules, store: rateLimits, tokens: verifier))
            : nil
        let checks = modules.flatMap(\.healthChecks) + (gateway == nil ? [] : upstreamChecks(directory))
        let router = ServiceRouter.make(
            metrics: metrics,
            options: .init(
                maximumBodyBytes: configuration.maximumBodyBytes, authentication: gateway == nil ? verifier : nil,
                assertions: configuration.meshSecret == nil ? nil : assertions, corsOrigins: configuration.corsOrigins)
        ) { router in
            ProcessRoutes.add(to: router, checks: { checks }, metrics: metrics)
            if let gateway {
                gateway.addRoutes(to: router)
            } else {
                for module in modules { module.addRoutes(to: router) }
            }
        }
        var relays: [any Service] = databases.map { name, database in
            let sources = hosted.filter { $0.database == name }.map(\.rawValue)
            return OutboxRelay(outbox: Outbox(database: database, sources: sources), bus: bus, metrics: metrics, logger: logger)
        }
        for (name, database) in sharded {
            let sources = hosted.filter { $0.isTenantSharded && $0.database == name }.map(\.rawValue)
            for shard in database.shards.dropFirst() {
                relays.append(OutboxRelay(outbox: Outbox(database: shard, sources: sources), bus: bus, metrics: metrics, logger: logger))
            }
        }
        var mesh: [any Service] = balancers.isEmpty
            ? [] : [HealthProber(clients: Array(balancers.values), interval: configuration.healthInterval, metrics: metrics, logger: logger)]
        if let meshTLS { mesh.append(meshTLS) }
        if gateway != nil, let policy = configuration.gatewayPolicy {
            mesh.append(GatewayPolicyWatcher(path: policy.path, loaded: policy.content, logger: logger) { [self] in
                apply($0, balancers: balancers, access: access)
            })
        }
        return AssembledProcess(
            router: router, modules: modules, background: relays + mesh + modules.flatMap(\.backgroundServices), databases: databases, sharded: sharded,
            upstreamPools: upstreams.values.flatMap { $0.map(\.pool) }, bus: redisBus, redis: redis,
            // The gateway's listener is the public edge; the services behind it admit other processes only.
            listenerTLS: gateway == nil ? meshTLS : nil, fastLane: configuration.gatewayFastLane ? gateway?.fastLane(maximumBodyBytes: configuration.maximumBodyBytes) : nil)
    }

    /// Limits on what a client may send before a handler sees it: 8 KB per header field, 32 KB
    /// and 100 fields in all; a connection that sends nothing for a minute is closed, so slow or
    /// abandoned clients do not hold connections for ever.
    static let http1 = HTTP1Channel.Configuration(
        idleTimeout: .seconds(60),
        httpDecoderConfiguration: .init(maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100))

    private func serve(
        router: Router<ServiceContext>, background: [any Service], tls: MeshTLS?, fastLane: GatewayFastLane?, started: ContinuousClock.Instant
    ) async throws {
        let logger = self.logger
        let app = Application(
            router: router,
            server: try tls.map { try HTTPServerBuilder.tls(.http1(configuration: Self.http1), tlsConfiguration: $0.serverConfiguration()) }
                ?? fastLane.map { .http1(configuration: Self.http1, fastLane: $0) } ?? .http1(configuration: Self.http1),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let elapsed = ContinuousClock.now - started
                logger.info(
                    "ready",
                    metadata: [
                        "server.address": .string(channel.localAddress?.ipAddress ?? "?"),
                        "server.port": .stringConvertible(channel.localAddress?.port ?? 0),
                        "event.duration": .stringConvertible(elapsed.nanoseconds),
                        "process.memory.rss": .stringConvertible(ProcessMetrics.residentMemoryBytes()),
                    ])
            },
            logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: background.map { .init(service: $0) } + [.init(service: app)],  // app stops first, relays flush after
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    private func migrate(_ databases: [DatabaseName: any SQLDatabase], hosted: [ServiceName]) async throws {
        for (name, database) in databases {
            let migrator = Migrator(database: database, logger: logger)
            try await migrator.apply(PlatformMigrations.track(for: database.dialect))
            for service in hosted where service.database == name {
                try await migrator.apply(ServiceFactory.moduleTypes[service]!.migrations(for: database.dialect))
            }
        }
    }

    private func logEffectiveConfiguration() {
        var metadata: Logger.Metadata = [:]
        for entry in configuration.effective {
            metadata["config.\(entry.key)"] = .string("\(entry.value) (\(entry.source.rawValue))")
        }
        logger.info("effective configuration", metadata: metadata)
    }
}

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy[metadataKey: key] = .string(value)
        return copy
    }
}
