import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A service stand-in on loopback that answers every request with one status and records what
/// reached it: for faults a real service cannot be made to show on demand.
final class StandInUpstream: Sendable {
    struct Received: Sendable, Equatable {
        var method: String
        var path: String
        var idempotencyKey: String?
    }

    let port: Int
    private let channel: any Channel
    private let recorder: Recorder

    private init(channel: any Channel, recorder: Recorder) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.recorder = recorder
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var received: [Received] { recorder.log.withLock { $0 } }

    static func start(answering status: HTTPResponseStatus) async throws -> StandInUpstream {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Answer(status: status, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return StandInUpstream(channel: channel, recorder: recorder)
    }

    func stop() async { try? await channel.close() }

    final class Recorder: Sendable {
        let log = Mutex<[Received]>([])
    }

    private final class Answer: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let status: HTTPResponseStatus
        let recorder: Recorder

        init(status: HTTPResponseStatus, recorder: Recorder) {
            self.status = status
            self.recorder = recorder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .head(let head) = unwrapInboundIn(data) else {
                if case .end = unwrapInboundIn(data) {
                    context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: ["Content-Length": "0"]))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
                return
            }
            recorder.log.withLock {
                $0.append(Received(method: head.method.rawValue, path: head.uri, idempotencyKey: head.headers.first(name: "Idempotency-Key")))
            }
        }
    }
}
