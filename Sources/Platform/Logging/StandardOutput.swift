import Foundation
import Synchronization

/// Serialises whole lines onto file descriptor 1 so concurrent loggers never interleave, and
/// writes them unbuffered so a killed process has already emitted everything it logged.
public final class StandardOutput: Sendable {
    public static let shared = StandardOutput()
    private let lock = Mutex(())

    public func write(_ line: String) {
        write(Array(line.utf8))
    }

    public func write(_ line: [UInt8]) {
        line.withUnsafeBufferPointer { bytes in
            lock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(1, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 {
                        if errno == EINTR { continue }
                        return  // stdout closed: dropping a log line must not take the server down
                    }
                    offset += written
                }
            }
        }
    }
}
