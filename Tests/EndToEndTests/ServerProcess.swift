import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// The built `neuroerp` binary running as a child process on a free loopback port, with its
/// log lines captured for assertions.
final class ServerProcess: Sendable {
    let process: Process
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--host", "127.0.0.1"] + (arguments.contains("--port") ? [] : ["--port", "0"]) + ["--data-dir", directory] + arguments
            + (arguments.contains("--database-url") ? [] : postgresURL(dataDirectory: directory).map { ["--database-url", $0] } ?? [])
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let capture = LogCapture()
        // A thread of its own reads the output to its end. Not `readabilityHandler`: its dispatch
        // source, with dozens of child processes coming and going, crashed the test process in
        // libdispatch's event loop (`_dispatch_event_loop_drain`, a bad pointer).
        let output = pipe.fileHandleForReading
        Thread.detachNewThread {
            while case let data = output.availableData, !data.isEmpty { capture.append(data) }
        }
        try launch(process)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let ready = capture.lines.first(where: { $0["message"] as? String == "ready" }), let port = ready["server.port"] as? Int {
                return ServerProcess(process: process, port: port, output: capture)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
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

    private init(process: Process, port: Int, output: LogCapture) {
        self.process = process
        self.port = port
        self.baseURL = "http://127.0.0.1:\(port)"
        self.output = output
    }

    /// The JSON log lines written so far.
    var logLines: [[String: Any]] { output.lines }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end; returns its exit status.
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.interrupt()
                throw StartFailed()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
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

/// Starts `process`, one launch at a time: Foundation's `Process.run()` is not safe to call from
/// two threads at once on Linux (two end-to-end suites launching together crashed the test run
/// in `Process.run` with a bad pointer dereference).
func launch(_ process: Process) throws {
    try processLaunch.withLock { _ in try process.run() }
}

private let processLaunch = Mutex<Void>(())
