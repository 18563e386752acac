import PostgresNIO

/// A statement PostgreSQL refused, with the server's own words (postgres-nio hides them from
/// its error's description, and a log without them is useless).
public struct PostgresError: SQLFailure, CustomStringConvertible, Sendable {
    /// The SQLSTATE, e.g. `23505` for a unique violation; nil when the connection failed.
    public let sqlState: String?
    public let message: String

    init(_ error: PSQLError, sql: String) {
        sqlState = error.serverInfo?[.sqlState]
        if let serverMessage = error.serverInfo?[.message] {
            message = serverMessage
        } else {
            message = "\(error.code) (\(sql.prefix(80)))"
        }
    }

    /// From postgres-nio's older API (prepared statements run by `PreparedQuery`).
    init(_ error: PostgresNIO.PostgresError, sql: String) {
        switch error {
        case .server(let answer):
            sqlState = answer.fields[.sqlState]
            message = answer.fields[.message] ?? "\(error) (\(sql.prefix(80)))"
        case .connectionClosed, .protocol:
            sqlState = nil
            message = "\(error) (\(sql.prefix(80)))"
        }
    }

    init(sqlState: String?, message: String) {
        self.sqlState = sqlState
        self.message = message
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// The connection failed or was closed: the server never answered (no SQLSTATE), or it ended
    /// the session itself — a shutdown or restart (class 57P) or a broken connection (class 08).
    public var isConnectionLost: Bool {
        guard let sqlState else { return true }
        return sqlState.hasPrefix("57P") || sqlState.hasPrefix("08")
    }
    public var isUnavailable: Bool { isConnectionLost }
    /// The transaction lost a serialization race or a deadlock and may be run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var description: String { "PostgreSQL error \(sqlState ?? "-"): \(message)" }
}
