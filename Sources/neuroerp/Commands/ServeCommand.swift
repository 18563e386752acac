import ArgumentParser
import Foundation
import Logging
import Platform

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run services: all of them (embedded, the default) or the ones named.",
        discussion: """
            Every option can also come from a NEUROERP_… environment variable or a JSON config file \
            (--config); flags win over variables, variables over the file, the file over defaults. \
            The effective configuration is logged at start with secrets redacted.

            Split mode: run `neuroerp serve --services audit --port 8091` and so on, then \
            `neuroerp serve --services gateway --upstream audit=http://127.0.0.1:8091 …`.
            """)

    @Flag(help: "Seed a demo tenant on first start and print its logins (password demo-passwort-123).") var demo = false
    @Option(help: Self.help(.services)) var services: String?
    @Option(help: Self.help(.host)) var host: String?
    @Option(help: Self.help(.port)) var port: String?
    @Option(name: .customLong("data-dir"), help: Self.help(.dataDirectory)) var dataDirectory: String?
    @Option(name: .customLong("config"), help: "JSON file with settings by their keys (see README). [env: NEUROERP_CONFIG]")
    var configFile: String?
    @Option(name: .customLong("upstream"), help: Self.help(.upstreams)) var upstreams: [String] = []
    @Option(name: .customLong("log-format"), help: Self.help(.logFormat)) var logFormat: String?
    @Option(name: .customLong("log-level"), help: Self.help(.logLevel)) var logLevel: String?
    @Option(name: .customLong("upstream-timeout-ms"), help: Self.help(.upstreamTimeout)) var upstreamTimeout: String?
    @Option(name: .customLong("upstream-connections"), help: Self.help(.upstreamConnections)) var upstreamConnections: String?
    @Option(name: .customLong("circuit-failures"), help: Self.help(.circuitFailures)) var circuitFailures: String?
    @Option(name: .customLong("circuit-open-ms"), help: Self.help(.circuitOpen)) var circuitOpen: String?
    @Option(name: .customLong("max-body-bytes"), help: Self.help(.maximumBodyBytes)) var maximumBodyBytes: String?
    @Option(name: .customLong("sqlite-synchronous"), help: Self.help(.sqliteSynchronous)) var sqliteSynchronous: String?
    @Option(name: .customLong("sqlite-readers"), help: Self.help(.sqliteReaders)) var sqliteReaders: String?
    @Option(name: .customLong("database-url"), help: Self.help(.databaseURLs)) var databaseURLs: [String] = []
    @Option(name: .customLong("database-shard"), help: Self.help(.databaseShards)) var databaseShards: [String] = []
    @Option(name: .customLong("redis-url"), help: Self.help(.redisURL)) var redisURL: String?
    @Option(name: .customLong("rate-limit-failure"), help: Self.help(.rateLimitFailure)) var rateLimitFailure: String?
    @Option(name: .customLong("rate-limit"), help: Self.help(.rateLimits)) var rateLimits: [String] = []
    @Option(name: .customLong("gateway-policy"), help: Self.help(.gatewayPolicy)) var gatewayPolicy: String?
    @Option(name: .customLong("gateway-cache-entries"), help: Self.help(.gatewayCacheEntries)) var gatewayCacheEntries: String?
    @Option(name: .customLong("gateway-fast-lane"), help: Self.help(.gatewayFastLane)) var gatewayFastLane: String?
    @Option(name: .customLong("cors-origin"), help: Self.help(.corsOrigins)) var corsOrigins: [String] = []
    @Option(name: .customLong("mesh-secret"), help: Self.help(.meshSecret)) var meshSecret: String?
    @Option(name: .customLong("tls-cert"), help: Self.help(.tlsCertificate)) var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: Self.help(.tlsKey)) var tlsKey: String?
    @Option(name: .customLong("tls-ca"), help: Self.help(.tlsAuthority)) var tlsAuthority: String?
    @Option(name: .customLong("health-interval-ms"), help: Self.help(.healthInterval)) var healthInterval: String?
    @Option(name: .customLong("shutdown-timeout-seconds"), help: Self.help(.shutdownTimeout)) var shutdownTimeout: String?
    @Option(name: .customLong("status-max-age-ms"), help: Self.help(.statusMaxAge)) var statusMaxAge: String?
    @Option(name: .customLong("cache-max-entries"), help: Self.help(.cacheEntries)) var cacheEntries: String?
    @Option(name: .customLong("access-token-ttl-seconds"), help: Self.help(.accessTokenLifetime)) var accessTokenLifetime: String?
    @Option(name: .customLong("refresh-token-ttl-days"), help: Self.help(.refreshTokenLifetime)) var refreshTokenLifetime: String?
    @Option(name: .customLong("bcrypt-cost"), help: Self.help(.bcryptCost)) var bcryptCost: String?
    @Option(name: .customLong("signing-key-rotation-days"), help: Self.help(.signingKeyRotation)) var signingKeyRotation: String?

    static func help(_ setting: Setting) -> ArgumentHelp {
        ArgumentHelp("\(setting.help) [env: \(setting.environment)\(setting.defaultValue.map { ", default: \($0)" } ?? "")]")
    }

    func run() async throws {
        try await run(try configuration())
    }

    /// Runs the process `configuration` describes (read once, by `NeuroERP.main`).
    func run(_ configuration: ServeConfiguration) async throws {
        LoggingSetup.bootstrap(
            format: configuration.logFormat, level: configuration.logLevel,
            serviceName: configuration.isEmbedded ? "neuroerp" : configuration.services.map(\.rawValue).joined(separator: "+"))
        var logger = Logger(label: "neuroerp")
        logger.logLevel = configuration.logLevel
        try await ProcessAssembly(configuration: configuration, logger: logger, demo: demo).run()
    }

    /// The settings from every source.
    /// - Throws: `ValidationError` naming the setting that is wrong.
    func configuration() throws -> ServeConfiguration {
        do {
            return try ServeConfiguration(sources: try sources())
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }

    /// Flags as given, the process environment, and the config file named by flag or variable.
    func sources() throws -> ConfigurationSources {
        var flags: [String: String] = [:]
        let given: [(Setting, String?)] = [
            (.services, services), (.host, host), (.port, port), (.dataDirectory, dataDirectory),
            (.upstreams, upstreams.isEmpty ? nil : upstreams.joined(separator: ",")), (.logFormat, logFormat),
            (.logLevel, logLevel), (.upstreamTimeout, upstreamTimeout), (.upstreamConnections, upstreamConnections),
            (.circuitFailures, circuitFailures), (.circuitOpen, circuitOpen),
            (.maximumBodyBytes, maximumBodyBytes), (.sqliteSynchronous, sqliteSynchronous), (.sqliteReaders, sqliteReaders),
            (.databaseURLs, databaseURLs.isEmpty ? nil : databaseURLs.joined(separator: ",")),
            (.databaseShards, databaseShards.isEmpty ? nil : databaseShards.joined(separator: ",")), (.redisURL, redisURL), (.rateLimitFailure, rateLimitFailure),
            (.rateLimits, rateLimits.isEmpty ? nil : rateLimits.joined(separator: ",")), (.gatewayPolicy, gatewayPolicy), (.gatewayCacheEntries, gatewayCacheEntries), (.gatewayFastLane, gatewayFastLane),
            (.corsOrigins, corsOrigins.isEmpty ? nil : corsOrigins.joined(separator: ",")),
            (.meshSecret, meshSecret), (.tlsCertificate, tlsCertificate), (.tlsKey, tlsKey), (.tlsAuthority, tlsAuthority),
            (.healthInterval, healthInterval), (.shutdownTimeout, shutdownTimeout), (.statusMaxAge, statusMaxAge), (.cacheEntries, cacheEntries),
            (.accessTokenLifetime, accessTokenLifetime), (.refreshTokenLifetime, refreshTokenLifetime), (.bcryptCost, bcryptCost),
            (.signingKeyRotation, signingKeyRotation),
        ]
        for (setting, value) in given { if let value { flags[setting.key] = value } }
        let environment = ProcessInfo.processInfo.environment
        let file = try (configFile ?? environment["NEUROERP_CONFIG"]).map(ConfigurationSources.readFile(at:)) ?? [:]
        return ConfigurationSources(flags: flags, environment: environment, file: file)
    }
}
