import Foundation
import NIOSSL
import PostgresNIO

/// Where a service database lives on a PostgreSQL server: the server, the login, the database
/// and the schema, read from a URL such as
/// `postgres://neuroerp:secret@127.0.0.1:5432/neuroerp?pool_size=8&connect_timeout=5&sslmode=require`.
/// `schema_prefix=acme_` puts the schemas of one installation beside another's in one database
/// (the tests give each process its own). `replica=HOST:PORT,…` names streaming replicas that
/// serve the reads (same login and database); `replica_wait_ms` is how long a read waits for a
/// replica to replay this process's last commit before it goes to the primary instead.
/// `statement_timeout` is the longest wait in seconds for one statement's answer.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// The schema that holds this service database's tables.
    public var schema: String
    /// Connections for reads; the writer has one more of its own.
    public var poolSize: Int
    public var connectTimeoutSeconds: Int
    public var requireTLS: Bool
    /// Hot standbys of this server; reads go to them.
    public var replicas: [ServerAddress]
    public var replicaWaitMilliseconds: Int
    public var statementTimeoutSeconds: Int

    /// The query parameters a URL may carry.
    static let parameters: Set<String> = [
        "pool_size", "connect_timeout", "sslmode", "schema_prefix", "replica", "replica_wait_ms", "statement_timeout",
    ]

    /// Reads `url`; `schema` names the service database inside it.
    /// - Throws: `PostgresLocationError` naming what is wrong with the URL.
    public init(url: String, schema: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw PostgresLocationError("database URL must look like postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else { throw PostgresLocationError("database URL has no host") }
        guard let user = components.user, !user.isEmpty else { throw PostgresLocationError("database URL has no user name") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw PostgresLocationError("database URL names no database") }
        self.host = host
        port = components.port ?? 5432
        username = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        var prefix = ""
        poolSize = 8
        connectTimeoutSeconds = 10
        requireTLS = false
        replicas = []
        replicaWaitMilliseconds = 200
        statementTimeoutSeconds = 60
        for item in components.queryItems ?? [] {
            guard Self.parameters.contains(item.name) else {
                throw PostgresLocationError("database URL parameter \(item.name) is unknown (known: \(Self.parameters.sorted().joined(separator: ", ")))")
            }
            let value = item.value ?? ""
            switch item.name {
            case "pool_size":
                guard let size = Int(value), (1...256).contains(size) else { throw PostgresLocationError("pool_size must be 1 to 256") }
                poolSize = size
            case "connect_timeout":
                guard let seconds = Int(value), (1...300).contains(seconds) else { throw PostgresLocationError("connect_timeout must be 1 to 300 seconds") }
                connectTimeoutSeconds = seconds
            case "schema_prefix":
                prefix = value
            case "replica":
                replicas = try value.split(separator: ",").map { try Self.address(String($0)) }
            case "replica_wait_ms":
                guard let milliseconds = Int(value), (0...60_000).contains(milliseconds) else {
                    throw PostgresLocationError("replica_wait_ms must be 0 to 60000")
                }
                replicaWaitMilliseconds = milliseconds
            case "statement_timeout":
                guard let seconds = Int(value), (1...3_600).contains(seconds) else { throw PostgresLocationError("statement_timeout must be 1 to 3600 seconds") }
                statementTimeoutSeconds = seconds
            default:
                guard ["disable", "require"].contains(value) else { throw PostgresLocationError("sslmode must be disable or require") }
                requireTLS = value == "require"
            }
        }
        self.schema = prefix + schema
        guard self.schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw PostgresLocationError("schema name \(self.schema) must be lower-case letters, digits and _, at most 63")
        }
    }

    private static func address(_ text: String) throws -> ServerAddress {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65_535).contains(port) else {
            throw PostgresLocationError("replica must be HOST:PORT, several separated by commas (got \(text))")
        }
        return ServerAddress(host: String(parts[0]), port: port)
    }

    /// The same login, database and schema on a replica.
    func onReplica(_ index: Int) -> PostgresLocation {
        var replica = self
        replica.host = replicas[index].host
        replica.port = replicas[index].port
        replica.replicas = []
        return replica
    }

    /// The schema, quoted for SQL (its characters are checked, so no escaping is needed).
    var quotedSchema: String { "\"\(schema)\"" }

    /// The URL without its password, for logs.
    public var redacted: String { "postgres://\(username)@\(host):\(port)/\(database) schema \(schema)" }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
    }

    /// Every statement of this service database finds its tables in its own schema, and an
    /// operator sees in `pg_stat_activity` whose connection it is.
    var startupParameters: [(String, String)] { [("search_path", schema), ("application_name", applicationName)] }

    public var applicationName: String { "neuroerp \(schema)" }

    var connectionConfiguration: PostgresConnection.Configuration {
        get throws {
            var configuration = PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: try tls())
            configuration.options.connectTimeout = .seconds(Int64(connectTimeoutSeconds))
            configuration.options.additionalStartupParameters = startupParameters
            return configuration
        }
    }

    var clientConfiguration: PostgresClient.Configuration {
        get throws {
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
            configuration.options.connectTimeout = .seconds(connectTimeoutSeconds)
            configuration.options.maximumConnections = poolSize
            configuration.options.additionalStartupParameters = startupParameters
            return configuration
        }
    }
}

public struct ServerAddress: Sendable, Equatable {
    public let host: String
    public let port: Int
}

public struct PostgresLocationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
