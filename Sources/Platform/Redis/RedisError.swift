/// Why a Redis command did not give a reply.
///
/// Only `.server` means Redis answered; every other case means the command may or may not have
/// run, so a caller retries only what is safe to run twice.
public enum RedisError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Redis refused the command, in its own words (`ERR ...`, `WRONGTYPE ...`, `NOSCRIPT ...`).
    case server(String)
    /// The connection closed before the reply arrived.
    case connectionClosed
    /// No reply within the command timeout; the connection was closed, because a late reply would
    /// be taken for the answer to the next command.
    case timeout
    /// No connection to Redis can be had now; the message says why and when the next attempt is.
    case unavailable(String)
    /// Redis sent bytes that are not RESP, or break a limit.
    case protocolError(String)
    /// Redis answered with a reply of a shape the command does not produce.
    case unexpectedReply(String)

    public var description: String {
        switch self {
        case .server(let message): "redis refused the command: \(message)"
        case .connectionClosed: "redis connection closed before the reply arrived"
        case .timeout: "redis did not reply within the command timeout; the connection was closed"
        case .unavailable(let reason): "redis is unavailable: \(reason)"
        case .protocolError(let reason): "redis protocol error: \(reason)"
        case .unexpectedReply(let reason): "unexpected redis reply: \(reason)"
        }
    }

    /// The code Redis puts first in an error (`NOSCRIPT`, `BUSYGROUP`, `WRONGTYPE`), nil for
    /// errors that are not the server's.
    public var serverCode: String? {
        guard case .server(let message) = self else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }
}
