import Foundation

/// Loopback ports for servers a test starts itself.
enum LoopbackPort {
    /// A port the system has just handed out and taken back.
    static func free() throws -> Int {
        try withLoopbackSocket(port: 0) { socket, address, length in
            guard bind(socket, address, length.pointee) == 0, getsockname(socket, address, length) == 0 else { throw ServerProcess.StartFailed() }
            return Int(UInt16(bigEndian: address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }))
        }
    }

    /// Whether something accepts connections on the loopback port.
    static func accepts(_ port: Int) -> Bool {
        (try? withLoopbackSocket(port: port) { socket, address, length in connect(socket, address, length.pointee) == 0 }) ?? false
    }

    private static func withLoopbackSocket<T>(
        port: Int, _ body: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) throws -> T
    ) throws -> T {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body(socket, $0, &length) }
        }
    }
}
