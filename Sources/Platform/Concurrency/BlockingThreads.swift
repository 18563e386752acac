import Foundation

/// A few threads of their own for work that blocks (a PostgreSQL read body waits for each of
/// its statements' answers), so it never holds one of Swift's cooperative threads.
///
/// NIO's `NIOThreadPool` did this first; its graceful shutdown now and then waited forever for a
/// thread that had missed its wake-up (a test process hung in `NIOThreadPool.shutdownGracefully`
/// joining an idle worker), so the pool is this plain one.
final class BlockingThreads: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [@Sendable () -> Void] = []
    private var stopping = false
    private var running: Int
    private var exited: [CheckedContinuation<Void, Never>] = []

    init(count: Int, name: String) {
        precondition(count >= 1, "at least one thread")
        running = count
        for index in 0..<count {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the threads.
    /// - Throws: `CancellationError` once the threads are stopping; what `body` throws.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            guard !stopping else {
                condition.unlock()
                continuation.resume(throwing: CancellationError())
                return
            }
            queue.append { continuation.resume(with: Result { try body() }) }
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets the queued work finish, then ends every thread.
    func stop() async {
        await withCheckedContinuation { continuation in
            condition.lock()
            stopping = true
            if running == 0 {
                condition.unlock()
                continuation.resume()
                return
            }
            exited.append(continuation)
            condition.broadcast()
            condition.unlock()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                running -= 1
                let waiters = running == 0 ? exited : []
                if running == 0 { exited = [] }
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return
            }
            let job = queue.removeFirst()
            condition.unlock()
            job()
        }
    }
}
