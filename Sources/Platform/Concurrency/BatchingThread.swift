import Foundation

/// A thread of its own that takes queued jobs in batches and runs them one batch at a time.
///
/// For work that must never wait for a free thread in Swift's cooperative pool, such as the
/// database writer: a job queued while a batch runs is taken with the next batch, at once, on
/// this thread.
final class BatchingThread<Job: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Job] = []
    private var stopping = false
    private var exited: [CheckedContinuation<Void, Never>] = []
    private var running = false
    private let name: String
    private let maximumBatch: Int

    /// A thread that will run up to `maximumBatch` jobs at a time once started.
    init(name: String, maximumBatch: Int) {
        self.name = name
        self.maximumBatch = maximumBatch
    }

    /// Starts the thread: `process` runs on it with each batch, in queue order.
    func start(_ process: @escaping @Sendable ([Job]) -> Void) {
        condition.lock()
        precondition(!running, "started once")
        running = true
        condition.unlock()
        let thread = Thread { [self] in run(process) }
        thread.name = name
        thread.start()
    }

    /// Queues `job`; `false` once the thread is stopping, when the job will never run.
    func submit(_ job: Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        queue.append(job)
        if queue.count == 1 { condition.signal() }
        return true
    }

    /// Jobs waiting now.
    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Refuses new jobs, runs the queued ones and returns once the thread has exited.
    func stop() async {
        await withCheckedContinuation { continuation in
            condition.lock()
            stopping = true
            if running {
                exited.append(continuation)
                condition.signal()
                condition.unlock()
            } else {
                condition.unlock()
                continuation.resume()
            }
        }
    }

    private func run(_ process: @Sendable ([Job]) -> Void) {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                running = false
                let waiters = exited
                exited = []
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return
            }
            let batch = Array(queue.prefix(maximumBatch))
            queue.removeFirst(batch.count)
            condition.unlock()
            process(batch)
        }
    }
}
