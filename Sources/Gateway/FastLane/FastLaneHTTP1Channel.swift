import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 server channel with the gateway's fast lane in each connection's
/// pipeline, behind Hummingbird's connection state handler: that handler then sees every request
/// and answer, so idle timeouts and graceful shutdown treat the lane's answers as its own.
public struct FastLaneHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    let inner: HTTP1Channel
    let lane: GatewayFastLane

    public var responder: Responder { inner.responder }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let state = try channel.pipeline.syncOperations.handler(type: HTTPConnectionStateHandler.self)
            try channel.pipeline.syncOperations.addHandler(FastLaneHandler(lane: lane), position: .after(state))
            return value
        }
    }

    public func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the gateway's fast lane in front of the router.
    public static func http1(configuration: HTTP1Channel.Configuration, fastLane: GatewayFastLane) -> HTTPServerBuilder {
        .init { responder in FastLaneHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: configuration), lane: fastLane) }
    }
}
