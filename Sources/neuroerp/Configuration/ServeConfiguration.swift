import ERPKernel
import Foundation
import Gateway
import Logging
import Mesh
import Platform
import ServiceRuntime

/// The validated configuration of `neuroerp serve`.
struct ServeConfiguration: Sendable {
    var services: [ServiceName]
    var host: String
    var port: Int
    var dataDirectory: String
    /// The replicas of each service this process calls over HTTP, in the order given.
    var upstreams: [ServiceName: [UpstreamReplica]]
    var logFormat: LogFormat
    var logLevel: Logger.Level
    var upstreamTimeout: Duration
    var upstreamConnections: Int
    var maximumBodyBytes: Int
    var sqliteSynchronous: SQLiteDatabase.Synchronous
    var sqliteReaders: Int
    /// The service databases kept on PostgreSQL; the others are SQLite files.
    var postgres: [DatabaseName: PostgresLocation]
    /// The shards beside the home database of each sharded service's database (shard 0 is
    /// `postgres[name]`); empty: no sharding.
    var shards: [DatabaseName: [PostgresLocation]]
    /// The Redis of the event bus between processes; `nil`: events stay in the process.
    var redis: RedisConfiguration?
    var rateLimitFailure: RateLimitFailure
    var circuitFailures: Int
    var circuitOpenDuration: Duration
    var rateLimitRules: [RateLimitRule]
    /// The gateway policy file and what it held at the start; nil: no split, no access rules.
    var gatewayPolicy: (path: String, policy: GatewayPolicy, content: Data)?
    var gatewayCacheEntries: Int
    var gatewayFastLane: Bool
    var corsOrigins: [String]
    var meshSecret: String?
    var healthInterval: Duration
    /// This process's certificate, key and CA for mTLS; nil: plain HTTP between processes.
    var tls: MeshIdentityFiles?
    var shutdownTimeout: Duration
    var statusMaxAge: Duration
    var cacheMaxEntries: Int
    var accessTokenLifetime: Duration
    var refreshTokenLifetime: Duration
    var bcryptCost: Int
    /// `nil`: never rotate on a schedule.
    var signingKeyRotation: Duration?
    /// Each setting's effective value as text, secrets redacted, for the start-up log line.
    var effective: [(key: String, value: String, source: ConfigurationSource)]

    /// Every service runs in this process.
    var isEmbedded: Bool { services.count == ServiceName.allCases.count }

    /// Whether requests wait on other processes: PostgreSQL, Redis, or services over HTTP. Then
    /// tasks run on the NIO event loops, where those connections answer (see `NeuroERP.main`).
    var waitsOnNetwork: Bool { !isEmbedded || !postgres.isEmpty || redis != nil }

    /// - Throws: `ConfigurationError` naming the first setting that is invalid and its source.
    init(sources: ConfigurationSources) throws {
        var effective: [(String, String, ConfigurationSource)] = []
        func raw(_ setting: Setting) -> (value: String, source: ConfigurationSource)? {
            let found = sources.value(of: setting)
            if let found {
                let shown = setting.secret ? "<redacted>" : Self.redactCredentials(found.value)
                effective.append((setting.key, shown, found.source))
            }
            return found
        }
        func fail(_ setting: Setting, _ found: (value: String, source: ConfigurationSource), _ expected: String) -> ConfigurationError {
            let origin = switch found.source {
            case .flag: setting.flag
            case .environment: setting.environment
            case .file: "config file key \"\(setting.key)\""
            case .default: "default of \(setting.flag)"
            }
            return ConfigurationError("\(origin): expected \(expected), got \"\(found.value)\"")
        }
        func integer(_ setting: Setting, in range: ClosedRange<Int>) throws -> Int {
            let found = raw(setting)!
            guard let value = Int(found.value), range.contains(value) else {
                throw fail(setting, found, "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        func choice<T: RawRepresentable>(_ setting: Setting, _ type: T.Type, options: [String]) throws -> T where T.RawValue == String {
            let found = raw(setting)!
            guard let value = T(rawValue: found.value.lowercased()) else { throw fail(setting, found, options.joined(separator: ", ")) }
            return value
        }

        let servicesText = raw(.services)!
        if servicesText.value == "all" {
            services = ServiceName.allCases
        } else {
            var chosen: [ServiceName] = []
            for name in servicesText.value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let service = ServiceName(rawValue: name) else {
                    throw fail(.services, servicesText, "all or names from \(ServiceName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if !chosen.contains(service) { chosen.append(service) }
            }
            guard !chosen.isEmpty else { throw fail(.services, servicesText, "at least one service") }
            services = chosen.sorted()
        }
        host = raw(.host)!.value
        port = try integer(.port, in: 0...65535)
        dataDirectory = raw(.dataDirectory)!.value
        upstreams = [:]
        if let found = raw(.upstreams) {
            for entry in found.value.split(separator: ",") {
                guard let (service, replica) = UpstreamReplica.parse(String(entry)) else {
                    throw fail(.upstreams, found, "NAME[@VERSION]=http://host:port entries")
                }
                if upstreams[service]?.contains(where: { $0.url == replica.url }) != true { upstreams[service, default: []].append(replica) }
            }
        }
        logFormat = try choice(.logFormat, LogFormat.self, options: LogFormat.allCases.map(\.rawValue))
        logLevel = try choice(.logLevel, Logger.Level.self, options: Logger.Level.allCases.map(\.rawValue))
        upstreamTimeout = .milliseconds(try integer(.upstreamTimeout, in: 1...600_000))
        upstreamConnections = try integer(.upstreamConnections, in: 1...4096)
        circuitFailures = try integer(.circuitFailures, in: 1...1000)
        circuitOpenDuration = .milliseconds(try integer(.circuitOpen, in: 100...600_000))
        maximumBodyBytes = try integer(.maximumBodyBytes, in: 1...(1 << 30))
        sqliteSynchronous = try choice(.sqliteSynchronous, SQLiteDatabase.Synchronous.self, options: ["full", "normal"])
        sqliteReaders = try integer(.sqliteReaders, in: 1...64)
        postgres = [:]
        if let found = raw(.databaseURLs) {
            do {
                postgres = try Self.postgresLocations(found.value)
            } catch let error as PostgresLocationError {
                throw fail(.databaseURLs, (Self.redactCredentials(found.value), found.source), "URL or NAME=URL entries (\(error.description))")
            }
        }
        shards = [:]
        if let found = raw(.databaseShards) {
            let urls = found.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for database in Set(ServiceName.allCases.filter(\.isTenantSharded).compactMap(\.database)) {
                guard let home = postgres[database] else {
                    throw fail(.databaseShards, (Self.redactCredentials(found.value), found.source), "shards beside a --database-url for the \(database.rawValue) database")
                }
                do {
                    let locations = try urls.map { url in
                        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else { throw PostgresLocationError("\(Self.redactCredentials(url)) is not a postgres:// URL") }
                        let location = try PostgresLocation(url: url, schema: database.rawValue)
                        guard location.redacted != home.redacted else { throw PostgresLocationError("\(location.redacted) is the home database, shard 0, already") }
                        return location
                    }
                    guard Set(locations.map(\.redacted)).count == locations.count else {
                        throw PostgresLocationError("a shard is named twice")
                    }
                    shards[database] = locations
                } catch let error as PostgresLocationError {
                    throw fail(.databaseShards, (Self.redactCredentials(found.value), found.source), "postgres:// URLs (\(error.description))")
                }
            }
        }
        redis = nil
        if let found = raw(.redisURL) {
            do {
                redis = try RedisConfiguration(url: found.value)
            } catch let error as RedisConfigurationError {
                throw fail(.redisURL, (Self.redactCredentials(found.value), found.source), "a redis:// URL (\(error.description))")
            }
        }
        rateLimitFailure = try choice(.rateLimitFailure, RateLimitFailure.self, options: RateLimitFailure.allCases.map(\.rawValue))
        rateLimitRules = []
        if let found = raw(.rateLimits) {
            for entry in found.value.split(separator: ",") {
                do {
                    rateLimitRules.append(try RateLimitRule(parsing: String(entry)))
                } catch let error as RateLimitRuleError {
                    throw fail(.rateLimits, found, "SCOPE[:PATH]=LIMIT/WINDOW entries (\(error.description))")
                }
            }
        }
        gatewayPolicy = nil
        if let found = raw(.gatewayPolicy) {
            do {
                let loaded = try GatewayPolicyWatcher.load(found.value)
                gatewayPolicy = (found.value, loaded.policy, loaded.content)
            } catch let error as GatewayPolicyError {
                throw fail(.gatewayPolicy, found, "a readable policy file (\(error.description))")
            }
        }
        gatewayCacheEntries = try integer(.gatewayCacheEntries, in: 0...10_000_000)
        gatewayFastLane = try choice(.gatewayFastLane, Switch.self, options: Switch.allCases.map(\.rawValue)) == .on
        corsOrigins = []
        if let found = raw(.corsOrigins) {
            for origin in found.value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let url = URL(string: origin)
                guard origin == "*" || (["http", "https"].contains(url?.scheme ?? "") && url?.host != nil && (url?.path ?? "").isEmpty) else {
                    throw fail(.corsOrigins, found, "origins like https://app.example.de or *")
                }
                corsOrigins.append(origin)
            }
        }
        meshSecret = raw(.meshSecret)?.value
        if let found = raw(.meshSecret), found.value.utf8.count < IdentityAssertion.minimumSecretBytes {
            throw fail(.meshSecret, ("<redacted>", found.source), "at least \(IdentityAssertion.minimumSecretBytes) characters")
        }
        let tlsFiles = [raw(.tlsCertificate), raw(.tlsKey), raw(.tlsAuthority)]
        if let certificate = tlsFiles[0]?.value, let key = tlsFiles[1]?.value, let authority = tlsFiles[2]?.value {
            tls = MeshIdentityFiles(certificate: certificate, key: key, authority: authority)
        } else if let given = tlsFiles.compactMap({ $0 }).first {
            throw fail(.tlsCertificate, given, "--tls-cert, --tls-key and --tls-ca together")
        } else {
            tls = nil
        }
        healthInterval = .milliseconds(try integer(.healthInterval, in: 100...600_000))
        shutdownTimeout = .seconds(try integer(.shutdownTimeout, in: 1...3600))
        statusMaxAge = .milliseconds(try integer(.statusMaxAge, in: 0...60_000))
        cacheMaxEntries = try integer(.cacheEntries, in: 1...100_000_000)
        accessTokenLifetime = .seconds(try integer(.accessTokenLifetime, in: 30...86_400))
        refreshTokenLifetime = .seconds(try integer(.refreshTokenLifetime, in: 1...365) * 86_400)
        bcryptCost = try integer(.bcryptCost, in: 4...31)
        let rotationDays = try integer(.signingKeyRotation, in: 0...3650)
        signingKeyRotation = rotationDays == 0 ? nil : .seconds(rotationDays * 86_400)
        self.effective = effective.map { (key: $0.0, value: $0.1, source: $0.2) }
    }

    /// `URL` for every database, `NAME=URL` for one; a later entry overrides an earlier one.
    static func postgresLocations(_ text: String) throws -> [DatabaseName: PostgresLocation] {
        var locations: [DatabaseName: PostgresLocation] = [:]
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let match = entry.wholeMatch(of: /(?:([a-z]+)=)?(postgres(?:ql)?:\/\/.+)/) else {
                throw PostgresLocationError("\(redactCredentials(entry)) is not a postgres:// URL")
            }
            let url = String(match.2)
            let names: [DatabaseName]
            if let key = match.1.map(String.init) {
                if let database = DatabaseName(rawValue: key) {
                    names = [database]
                } else if let database = ServiceName(rawValue: key)?.database {
                    names = [database]
                } else {
                    throw PostgresLocationError("\(key) is neither a database nor a service that owns one")
                }
            } else {
                names = DatabaseName.allCases
            }
            for name in names { locations[name] = try PostgresLocation(url: url, schema: name.rawValue) }
        }
        return locations
    }

    /// `http://user:secret@host` → `http://<redacted>@host`; other text unchanged.
    static func redactCredentials(_ text: String) -> String {
        text.replacing(/\/\/[^\/@\s,]+@/) { _ in "//<redacted>@" }
    }
}

/// A setting that is on or off.
enum Switch: String, CaseIterable {
    case on, off
}
