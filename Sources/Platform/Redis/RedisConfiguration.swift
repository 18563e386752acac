import Foundation

/// Where Redis is and how to talk to it, read from a URL such as
/// `redis://:secret@127.0.0.1:6379/2?pool_size=8&timeout_ms=500&connect_timeout_ms=1000`.
///
/// The user name is for Redis 6 ACLs; without one, the password logs in as the default user.
/// `description` never shows the password.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    /// The logical database `SELECT`ed on connect.
    public var database: Int
    /// Connections the client keeps (default 4); each pipelines, so a few carry a lot.
    public var poolSize: Int
    /// Longest wait for a reply (default 2,000 ms); past it the connection is closed.
    public var commandTimeoutMilliseconds: Int
    /// Longest wait for the TCP connection (default 1,000 ms).
    public var connectTimeoutMilliseconds: Int
    /// Starts every key this installation writes (`neuroerp:` by default), so that several
    /// installations, or parallel tests, can share one Redis.
    public var keyPrefix = "neuroerp:"

    /// The query parameters a URL may carry.
    static let parameters: Set<String> = ["pool_size", "timeout_ms", "connect_timeout_ms", "key_prefix"]

    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, poolSize: Int = 4, commandTimeoutMilliseconds: Int = 2_000, connectTimeoutMilliseconds: Int = 1_000
    ) {
        precondition(poolSize > 0 && commandTimeoutMilliseconds > 0 && connectTimeoutMilliseconds > 0 && database >= 0)
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
    }

    /// Reads `url`: `redis://[[username]:password@]host[:port][/database][?pool_size=4&timeout_ms=2000&connect_timeout_ms=1000]`.
    /// - Throws: `RedisConfigurationError` naming what is wrong with the URL.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme else {
            throw RedisConfigurationError("redis URL must look like redis://:password@host:6379/0")
        }
        guard scheme == "redis" else {
            if scheme == "rediss" { throw RedisConfigurationError("redis URL asks for TLS (rediss://), which is not supported") }
            throw RedisConfigurationError("redis URL must start with redis://, not \(scheme)://")
        }
        guard var host = components.host, !host.isEmpty else { throw RedisConfigurationError("redis URL has no host") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }  // IPv6
        let port = components.port ?? 6379
        guard (1...65_535).contains(port) else { throw RedisConfigurationError("redis URL port \(port) is not 1 to 65535") }
        let username = components.percentEncodedUser.flatMap { $0.isEmpty ? nil : ($0.removingPercentEncoding ?? $0) }
        let password = components.percentEncodedPassword.flatMap { $0.isEmpty ? nil : ($0.removingPercentEncoding ?? $0) }
        if username != nil, password == nil {
            throw RedisConfigurationError("redis URL has a user name but no password (write redis://user:password@host)")
        }
        let path = components.path.drop(while: { $0 == "/" })
        var database = 0
        if !path.isEmpty {
            guard let number = Int(path), number >= 0 else {
                throw RedisConfigurationError("redis URL path must be a database number such as /0, not /\(path)")
            }
            database = number
        }
        self.init(host: host, port: port, username: username, password: password, database: database)
        for item in components.queryItems ?? [] {
            guard Self.parameters.contains(item.name) else {
                throw RedisConfigurationError(
                    "redis URL parameter \(item.name) is unknown (known: \(Self.parameters.sorted().joined(separator: ", ")))")
            }
            if item.name == "key_prefix" {
                guard let prefix = item.value, (1...64).contains(prefix.count), !prefix.contains(where: \.isWhitespace) else {
                    throw RedisConfigurationError("key_prefix must be 1 to 64 characters without spaces")
                }
                keyPrefix = prefix
                continue
            }
            let value = Int(item.value ?? "")
            switch item.name {
            case "pool_size":
                guard let value, (1...64).contains(value) else { throw RedisConfigurationError("pool_size must be 1 to 64") }
                poolSize = value
            case "timeout_ms":
                guard let value, (1...600_000).contains(value) else {
                    throw RedisConfigurationError("timeout_ms must be 1 to 600000 milliseconds")
                }
                commandTimeoutMilliseconds = value
            default:
                guard let value, (1...60_000).contains(value) else {
                    throw RedisConfigurationError("connect_timeout_ms must be 1 to 60000 milliseconds")
                }
                connectTimeoutMilliseconds = value
            }
        }
    }

    /// `host:port`, for messages.
    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The URL with the password masked, for logs.
    public var description: String {
        let login = password == nil ? "" : "\(username ?? ""):***@"
        return "redis://\(login)\(endpoint)/\(database)?pool_size=\(poolSize)&timeout_ms=\(commandTimeoutMilliseconds)"
            + "&connect_timeout_ms=\(connectTimeoutMilliseconds)&key_prefix=\(keyPrefix)"
    }
}

public struct RedisConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
