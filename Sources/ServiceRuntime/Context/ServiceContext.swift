import ERPKernel
import Hummingbird
import HTTPTypes
import Logging
import NIOCore

extension HTTPField.Name {
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// The request context of every service and the gateway.
///
/// Carries the request's trace (set by `CorrelationMiddleware`) so handlers, logs, upstream calls
/// and events all name the same trace.
public struct ServiceContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The trace this request belongs to, with this hop's span.
    public var trace: TraceContext
    /// The caller's `X-Request-ID`, echoed back when present.
    public var requestID: String?
    /// The verified caller, set by `AuthenticationMiddleware`; `nil` for anonymous requests.
    public var identity: Identity?
    /// The address of the connection's other end; `nil` for in-process calls.
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.trace = .generate()
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// A context for a request that arrives in-process from another service, without a socket.
    public init(logger: Logger, trace: TraceContext) {
        self.coreContext = .init(source: LoggerSource(logger: logger))
        self.trace = trace
        self.peerAddress = nil
    }

    /// The client's address: what the gateway put in `X-Forwarded-For` (it overwrites whatever
    /// the client sent), else the peer of the connection.
    public func clientAddress(of request: Request) -> String? {
        if let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return peerAddress
    }

    /// The body limit for decoding is enforced earlier, by `BodyLimitMiddleware`.
    public var maxUploadSize: Int { .max }
}

private struct LoggerSource: RequestContextSource {
    let logger: Logger
}
