import ERPKernel
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceRuntime

/// Calls a service that runs in this process by handing the request straight to its router:
/// the same request and response as over HTTP, without a socket.
public struct LocalServiceClient: ServiceClient {
    public let service: ServiceName
    public var address: String { "in-process" }
    private let responder: RouterResponder<ServiceContext>
    private let logger: Logger

    public init(service: ServiceName, router: Router<ServiceContext>, logger: Logger) {
        self.service = service
        self.responder = router.buildResponder()
        self.logger = logger
    }

    public func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        var headers = request.headers
        headers[.w3cTraceparent] = trace.child().traceparent
        let head = HTTPRequest(method: request.method, scheme: nil, authority: nil, path: request.path, headerFields: headers)
        let hummingbirdRequest = Request(head: head, body: RequestBody(buffer: request.body ?? ByteBuffer()))
        let context = ServiceContext(logger: logger, trace: trace)
        let responder = self.responder
        // In-process, the caller's deadline reaches the handler as the task's own.
        let timeout = RequestDeadline.budget(timeout)
        do {
            return try await withTimeout(timeout) {
                let response = try await responder.respond(to: hummingbirdRequest, context: context)
                let collector = CollectingBodyWriter()
                try await response.body.write(collector.writer)
                return ServiceResponse(status: response.status, headers: response.headers, body: await collector.collected())
            }
        } catch is TimeoutError {
            throw Problem.upstreamTimeout(service.rawValue, timeoutMilliseconds: timeout.milliseconds)
        }
    }
}

/// Gathers a response body written by a router into one buffer.
struct CollectingBodyWriter: Sendable {
    private let box = BufferBox()
    var writer: some ResponseBodyWriter { Writer(box: box) }

    func collected() async -> ByteBuffer { box.buffer }

    private final class BufferBox: @unchecked Sendable {
        // Written by one task while the body is produced, read after it finished.
        var buffer = ByteBuffer()
    }

    private struct Writer: ResponseBodyWriter {
        let box: BufferBox
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            box.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
