import Glibc
import Synchronization

/// The write-ahead log of a database, synced to the disk by the database rather than by SQLite.
///
/// The writer commits with `synchronous=NORMAL`, which writes the WAL frames without waiting for
/// the disk; one `fdatasync` here then makes every frame written before it durable. `fdatasync`
/// flushes the file, not the descriptor, so an own read-only descriptor serves.
final class WALFile: Sendable {
    let path: String
    private let descriptor = Mutex<Int32>(-1)

    /// The WAL of the database file at `databasePath` (SQLite names it `<database>-wal`).
    init(databasePath: String) { path = databasePath + "-wal" }

    /// Blocks until everything written to the WAL so far is on the disk.
    /// - Throws: `WALSyncError` when the file cannot be opened or the disk reports a failure.
    func sync() throws {
        let fd = try descriptor.withLock { fd -> Int32 in
            if fd < 0 { fd = try openAndSyncDirectory() }
            return fd
        }
        guard fdatasync(fd) == 0 else { throw WALSyncError(path: path, operation: "fdatasync", code: errno) }
    }

    func close() {
        descriptor.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
    }

    /// Opens the WAL, which exists once the first commit wrote to it, and syncs its directory
    /// once so that the file's own entry survives a power loss too.
    private func openAndSyncDirectory() throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WALSyncError(path: path, operation: "open", code: errno) }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let directoryFD = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            _ = Glibc.close(directoryFD)
        }
        return fd
    }
}

/// The disk did not confirm the WAL: the writes waiting for it are answered with this error.
public struct WALSyncError: Error, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let code: Int32
    public var description: String { "\(operation) of \(path) failed: \(String(cString: strerror(code)))" }
}
