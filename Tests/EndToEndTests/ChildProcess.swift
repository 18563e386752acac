import Foundation
import Synchronization

/// A child process started with `posix_spawn`, its output going to a pipe of the caller's.
///
/// Not Foundation's `Process`: its `run()` crashed the test process now and then in a `memcpy`
/// (it lists the parent's open descriptors while other threads open and close connections), and
/// its `waitUntilExit` once missed the end of a short child. Here the child closes every
/// descriptor above 2 itself (`closefrom`), and its end is asked of the kernel (`waitpid`).
final class ChildProcess: Sendable {
    let pid: pid_t
    private let status = Mutex<Int32?>(nil)

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `executable`. `input` becomes the child's stdin (nil: /dev/null), `output` its
    /// stdout and stderr (nil: /dev/null).
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: Int32? = nil, output: Int32? = nil) throws -> ChildProcess {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input ?? devNull, 0)
        posix_spawn_file_actions_adddup2(&actions, output ?? devNull, 1)
        posix_spawn_file_actions_adddup2(&actions, output ?? devNull, 2)
        _ = Self.addCloseFrom(&actions, 3)
        let environment = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw SpawnFailed(executable: executable, errno: result) }
        return ChildProcess(pid: pid)
    }

    struct SpawnFailed: Error, CustomStringConvertible {
        let executable: String
        let errno: Int32
        var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
    }

    var isRunning: Bool { terminationStatus == nil }

    /// The exit code, or the signal that ended the child; nil while it runs.
    var terminationStatus: Int32? {
        status.withLock { status in
            if status == nil {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid {
                    // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
                    status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
                }
            }
            return status
        }
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the end; nil when `timeout` passed first.
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = terminationStatus { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// A pipe whose ends are closed in children the test starts otherwise.
    static func pipe() -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        precondition(pipeWithFlags(&ends, O_CLOEXEC) == 0, "pipe2 failed")
        return (ends[0], ends[1])
    }

    // glibc has both (2.34 and later) but declares them only for _GNU_SOURCE, which Swift's
    // Glibc module does not set: they are looked up by name.
    private static let addCloseFrom = unsafeBitCast(
        dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")!,
        to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    private static let pipeWithFlags = unsafeBitCast(
        dlsym(dlopen(nil, RTLD_NOW), "pipe2")!,
        to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)

    /// Reads `descriptor` to its end on a thread of its own, handing each chunk to `received`;
    /// closes it then.
    static func drain(_ descriptor: Int32, into received: @escaping @Sendable (Data) -> Void) {
        Thread.detachNewThread { readToEnd(descriptor, received) }
    }

    /// Reads `descriptor` to its end here, handing each chunk to `received`; closes it then.
    static func readToEnd(_ descriptor: Int32, _ received: (Data) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count > 0 { received(Data(buffer[0..<count])); continue }
            if count < 0, errno == EINTR { continue }
            break
        }
        close(descriptor)
    }
}
