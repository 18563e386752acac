import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Keep-alive connections to one upstream (scheme, host, port), written on SwiftNIO for the
/// gateway's hot path: a call takes an idle connection or opens one, and gives it back after a
/// complete answer. At most `maximumIdle` wait idle per event loop; a burst beyond that opens
/// more, which are closed after their call, so the pool never queues a call behind another.
///
/// Each event loop has connections of its own. A call made on a loop (where the task of a
/// request runs, in a process whose tasks run on the event loops) takes one of that loop's, so
/// the request, its call and both answers stay on one thread: a connection on another loop
/// would cost two thread switches per call.
public final class UpstreamConnectionPool: Sendable {
    let host: String
    let port: Int
    /// `scheme://host:port`, as given.
    public let baseURL: String
    /// `host:port`, for the `Host` field.
    let authority: String
    let tls: MeshTLS?
    let maximumIdle: Int
    let maximumAnswerBytes: Int
    let group: any EventLoopGroup
    /// The group's loops, to tell whether a caller runs on one of them.
    private let loops: Set<ObjectIdentifier>
    /// By event loop; the key `nil` holds connections of calls made off the group's loops.
    private let idle = Mutex<[ObjectIdentifier?: [UpstreamConnection]]>([:])
    private let closed = Atomic<Bool>(false)
    private let opened = Atomic<Int>(0)

    /// Connections opened so far, for tests and diagnostics.
    public var connectionsOpened: Int { opened.load(ordering: .relaxed) }

    /// - Parameters:
    ///   - baseURL: `http://host:port` or `https://host:port` (the latter needs `tls`).
    ///   - maximumIdle: connections kept open between calls, per event loop (default 64).
    ///   - maximumAnswerBytes: the largest answer body taken (default 8 MiB).
    /// - Throws: `MeshTLSError` for a URL that is not `http(s)://host[:port]`, or https without `tls`.
    public init(
        baseURL: String, tls: MeshTLS?, maximumIdle: Int = 64, maximumAnswerBytes: Int = 8 << 20,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host else {
            throw MeshTLSError("\(baseURL) is not an http:// or https:// URL with a host")
        }
        guard scheme == "http" || tls != nil else { throw MeshTLSError("\(baseURL) needs --tls-cert, --tls-key and --tls-ca") }
        self.host = host
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        authority = "\(host):\(port)"
        self.tls = scheme == "https" ? tls : nil
        self.maximumIdle = maximumIdle
        self.maximumAnswerBytes = maximumAnswerBytes
        self.group = group
        loops = Set(group.makeIterator().map(ObjectIdentifier.init))
    }

    /// Sends one call and waits for its answer, on a connection of the loop the caller runs on.
    func send(
        _ head: HTTPRequestHead, body: ByteBuffer?, timeout: Duration, near loop: (any EventLoop)? = MultiThreadedEventLoopGroup.currentEventLoop
    ) async throws -> UpstreamAnswer {
        try await call(head, body: body, timeout: timeout, near: loop).get()
    }

    /// Sends one call on a connection of `loop` (any loop when it is not one of the group's).
    /// An idle connection the upstream closed meanwhile shows as inactive and is skipped; one
    /// that closes just as the call is written fails it, and then a fresh one gets it once,
    /// since the upstream never saw it. The future fails with an `UpstreamFailure`.
    func call(_ head: HTTPRequestHead, body: ByteBuffer?, timeout: Duration, near loop: (any EventLoop)?) -> EventLoopFuture<UpstreamAnswer> {
        let home = loop.flatMap { loops.contains(ObjectIdentifier($0)) ? $0 : nil }
        return attempt(head, body: body, deadline: .now + timeout, home: home, retryIfClosed: true)
    }

    private func attempt(
        _ head: HTTPRequestHead, body: ByteBuffer?, deadline: ContinuousClock.Instant, home: (any EventLoop)?, retryIfClosed: Bool
    ) -> EventLoopFuture<UpstreamAnswer> {
        lease(on: home, timeout: deadline - .now).flatMap { connection, reused in
            connection.call(head, body: body, timeout: deadline - .now)
                .map { answer in
                    self.giveBack(connection, to: home)
                    return answer
                }
                .flatMapError { error in
                    connection.close()
                    if case UpstreamFailure.closedBeforeSending = error, reused, retryIfClosed {
                        return self.attempt(head, body: body, deadline: deadline, home: home, retryIfClosed: false)
                    }
                    return connection.channel.eventLoop.makeFailedFuture(error)
                }
        }
    }

    private func lease(on home: (any EventLoop)?, timeout: Duration) -> EventLoopFuture<(UpstreamConnection, reused: Bool)> {
        let key = home.map(ObjectIdentifier.init)
        while let connection = idle.withLock({ $0[key]?.popLast() }) {
            if connection.isReusable { return connection.channel.eventLoop.makeSucceededFuture((connection, true)) }
        }
        let loop = home ?? group.next()
        let context: NIOSSLContext?
        do { context = try tls.map { try $0.clientContext() } } catch { return loop.makeFailedFuture(error) }
        return UpstreamConnection.open(
            host: host, port: port, tls: context, maximumAnswerBytes: maximumAnswerBytes, timeout: timeout, group: loop
        ).map { connection in
            self.opened.add(1, ordering: .relaxed)
            return (connection, false)
        }
    }

    private func giveBack(_ connection: UpstreamConnection, to home: (any EventLoop)?) {
        guard connection.isReusable, !closed.load(ordering: .relaxed) else { return connection.close() }
        let key = home.map(ObjectIdentifier.init)
        let kept = idle.withLock { idle in
            guard idle[key, default: []].count < maximumIdle else { return false }
            idle[key, default: []].append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    /// Closes the idle connections; calls under way finish and then close theirs.
    public func close() {
        closed.store(true, ordering: .relaxed)
        for connection in idle.withLock({ idle in defer { idle.removeAll() }; return Array(idle.values.joined()) }) { connection.close() }
    }
}
