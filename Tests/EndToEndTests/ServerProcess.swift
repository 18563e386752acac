import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// The built `neuroerp` binary running as a child process on a free loopback port, with its
/// log lines captured for assertions.
final class ServerProcess: Sendable {
    let process: ChildProcess
    let baseURL: String
    let port: Int
    private let output: LogCapture

    /// The binary under test: `NEUROERP_BINARY`, or the debug build of this package.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["NEUROERP_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/neuroerp").path
    }

    /// Starts `neuroerp serve` with `arguments` and waits until it logs `ready` (at most 30 s).
    static func start(_ arguments: [String], dataDirectory: String? = nil) async throws -> ServerProcess {
        let directory = dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("neuroerp-e2e-\(UUID().uuidString)").path
        let arguments = ["serve", "--host", "127.0.0.1"] + (arguments.contains("--port") ? [] : ["--port", "0"]) + ["--data-dir", directory]
            + arguments + (arguments.contains("--database-url") ? [] : postgresURL(dataDirectory: directory).map { ["--database-url", $0] } ?? [])
        let capture = LogCapture()
        let pipe = ChildProcess.pipe()
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(binary, arguments, output: pipe.write)
        } catch {
            close(pipe.read)
            close(pipe.write)
            throw error
        }
        close(pipe.write)
        ChildProcess.drain(pipe.read) { capture.append($0) }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let ready = capture.lines.first(where: { $0["message"] as? String == "ready" }), let port = ready["server.port"] as? Int {
                return ServerProcess(process: process, port: port, output: capture)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.signal(SIGKILL)
        Issue.record("neuroerp did not become ready: \(capture.text.suffix(2000))")
        throw StartFailed()
    }

    struct StartFailed: Error {}

    /// With `NEUROERP_TEST_DATABASE_URL` set, a server or command keeps its databases on that
    /// PostgreSQL server, in schemas named after its data directory: a restart on the same
    /// directory finds its data again, as it would in the SQLite files.
    static func postgresURL(dataDirectory: String) -> String? {
        guard let url = ProcessInfo.processInfo.environment["NEUROERP_TEST_DATABASE_URL"], !url.isEmpty else { return nil }
        let seed = String(dataDirectory.lowercased().filter { $0.isLetter || $0.isNumber }.suffix(16))
        return url + (url.contains("?") ? "&" : "?") + "pool_size=2&schema_prefix=t\(seed)_"
    }

    private init(process: ChildProcess, port: Int, output: LogCapture) {
        self.process = process
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)"
        self.output = output
    }

    /// The JSON log lines written so far.
    var logLines: [[String: Any]] { output.lines }

    func signal(_ signal: Int32) { process.signal(signal) }

    /// Waits for the process to end; returns its exit status (or the signal that ended it).
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32 {
        guard let status = try await process.waitForExit(timeout: timeout) else {
            process.signal(SIGINT)
            throw StartFailed()
        }
        return status
    }

    func stop() async {
        if process.isRunning {
            signal(SIGKILL)
            _ = try? await waitForExit()
        }
    }
}

/// Collects a child's output and splits it into JSON log lines.
final class LogCapture: Sendable {
    private let buffer = Mutex(Data())

    func append(_ data: Data) { buffer.withLock { $0.append(data) } }

    var text: String { buffer.withLock { String(decoding: $0, as: UTF8.self) } }

    var lines: [[String: Any]] {
        text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}

/// A GET or other call with AsyncHTTPClient; the body is read whole.
func call(
    _ client: HTTPClient, _ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(10)
) async throws -> (status: Int, headers: [String: String], body: String) {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    let response = try await client.execute(request, timeout: timeout)
    let body = try await response.body.collect(upTo: 1 << 22)
    var fields: [String: String] = [:]
    for header in response.headers { fields[header.name.lowercased()] = header.value }
    return (Int(response.status.code), fields, String(buffer: body))
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}
