import Foundation
import NIOCore
import Platform
import Synchronization

/// `neuroerp-bench load run`: simulated users, each on a connection of its own with its own
/// token, send the office-day mix (or one kind of it) for a while; prints the figures as JSON.
///
/// Pacing:
/// - `--rate R`: the users share a fixed offered rate (open loop). A request is due at its slot
///   whether or not a user is free, and its latency counts from then.
/// - `--interval S`: each user sends one request every S seconds, the users spread over it.
/// - neither: each user sends its next request when the last one is answered (closed loop,
///   for the highest throughput).
struct LoadRun: Sendable {
    enum Pacing: Sendable {
        case rate(Double), interval(Duration), closed
    }

    let plan: LoadPlan
    let users: Int
    let pacing: Pacing
    let duration: Duration
    let only: OfficeDay.Kind?

    static func run(_ options: LoadOptions) async throws {
        let plan = try LoadPlan.read(try options.text("plan"))
        let rate = try options.number("rate", default: 0)
        let interval = try options.number("interval", default: 0)
        let only = try options.text("only", default: "").nilIfEmpty.map {
            guard let kind = OfficeDay.Kind(rawValue: $0) else { throw BenchFailure("--only must be one of \(OfficeDay.Kind.allCases.map(\.rawValue))") }
            return kind
        }
        let run = LoadRun(
            plan: plan, users: max(1, try options.count("users", default: 64)),
            pacing: rate > 0 ? .rate(rate) : interval > 0 ? .interval(.milliseconds(Int64(interval * 1000))) : .closed,
            duration: .milliseconds(Int64(try options.number("duration", default: 10) * 1000)), only: only)
        let timeline = try options.text("timeline", default: "").nilIfEmpty
        let acknowledged = try options.text("acknowledged", default: "").nilIfEmpty
        let recorder = LoadRecorder(keepsTimeline: timeline != nil, keepsAcknowledged: acknowledged != nil)
        let startedAt = Date()
        var summary = try await run.drive(recorder)
        if let timeline { try recorder.timelineCSV(start: startedAt).write(toFile: timeline, atomically: true, encoding: .utf8) }
        if let acknowledged { try recorder.acknowledged.joined(separator: "\n").write(toFile: acknowledged, atomically: true, encoding: .utf8) }
        summary["users"] = run.users
        summary["startedAtMs"] = startedAt.timeIntervalSince1970 * 1000
        summary["rssBytes"] = ProcessMetrics.residentMemoryBytes()
        print(String(decoding: try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]), as: UTF8.self))
    }

    /// Opens every user's connection, then lets them all go; returns the figures.
    func drive(_ recorder: LoadRecorder) async throws -> [String: Any] {
        let connections = try await openConnections()
        let clock = ContinuousClock()
        let start = clock.now.advanced(by: .milliseconds(50))
        let end = start.advanced(by: duration)
        let tickets = Ticker()
        // Idempotency keys must differ from those of earlier runs on the same plan.
        let run = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)
        let simulated = (0..<users).map { index in
            SimulatedUser(
                index: index, run: run, token: plan.tokens[index % plan.tokens.count], connection: connections[index], plan: plan,
                only: only, recorder: recorder, clock: clock, start: start,
                nextDue: { sent in nextDue(user: index, sent: sent, tickets: tickets, start: start, end: end, clock: clock) })
        }
        for user in simulated { user.loop.execute { user.sendNext() } }
        for user in simulated { try? await user.finished.futureResult.get() }
        var summary = recorder.summary(elapsed: clock.now - start)
        summary["offeredPerSecond"] = switch pacing {
        case .rate(let rate): rate
        case .interval(let interval): Double(users) / interval.seconds
        case .closed: 0
        }
        return summary
    }

    /// When the next request of `user` is due; nil once the run is over.
    private func nextDue(user: Int, sent: Int, tickets: Ticker, start: ContinuousClock.Instant, end: ContinuousClock.Instant, clock: ContinuousClock) -> ContinuousClock.Instant? {
        let due: ContinuousClock.Instant
        switch pacing {
        case .rate(let rate):
            let ticket = tickets.next()
            due = start.advanced(by: .microseconds(Int64(Double(ticket) / rate * 1_000_000)))
        case .interval(let interval):
            due = start.advanced(by: interval * (Double(user) / Double(users)) + interval * sent)
        case .closed:
            due = max(start, clock.now)
        }
        return due < end ? due : nil
    }

    /// One connection per user, opened a few hundred at a time (the server's accept backlog is finite).
    private func openConnections() async throws -> [LoadConnection] {
        let next = Ticker()
        let opened = try await withThrowingTaskGroup(of: [(Int, LoadConnection)].self) { group in
            for _ in 0..<min(users, 256) {
                group.addTask {
                    var mine: [(Int, LoadConnection)] = []
                    while case let index = next.next(), index < users {
                        mine.append((index, try await Self.connect(plan)))
                    }
                    return mine
                }
            }
            var all: [(Int, LoadConnection)] = []
            for try await part in group { all += part }
            return all
        }
        return opened.sorted { $0.0 < $1.0 }.map(\.1)
    }

    static func connect(_ plan: LoadPlan, attempts: Int = 5) async throws -> LoadConnection {
        for attempt in 1... {
            do {
                return try await LoadConnection.connect(host: plan.host, port: plan.port)
            } catch where attempt < attempts {
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
        fatalError("unreachable")
    }
}

/// One user of the run: a token, a connection (opened again after a failure) and a repeatable
/// choice of requests. It lives on its connection's event loop and waits for its next slot
/// with a scheduled task, not a task of its own: sleeping and waking a task per request cost
/// the load generator more CPU than the request did, CPU the servers it measures then lacked.
private final class SimulatedUser: @unchecked Sendable {  // state touched on `loop` only
    let index: Int
    let run: String
    let token: String
    let plan: LoadPlan
    let only: OfficeDay.Kind?
    let recorder: LoadRecorder
    let clock: ContinuousClock
    let start: ContinuousClock.Instant
    let nextDue: (_ sent: Int) -> ContinuousClock.Instant?
    let loop: any EventLoop
    let finished: EventLoopPromise<Void>
    private var connection: LoadConnection?
    private var random: SplitMix
    private var sent = 0

    init(
        index: Int, run: String, token: String, connection: LoadConnection, plan: LoadPlan, only: OfficeDay.Kind?,
        recorder: LoadRecorder, clock: ContinuousClock, start: ContinuousClock.Instant,
        nextDue: @escaping (_ sent: Int) -> ContinuousClock.Instant?
    ) {
        self.index = index
        self.run = run
        self.token = token
        self.connection = connection
        self.plan = plan
        self.only = only
        self.recorder = recorder
        self.clock = clock
        self.start = start
        self.nextDue = nextDue
        loop = connection.eventLoop
        finished = loop.makePromise()
        random = SplitMix(seed: UInt64(index))
    }

    /// Waits for the next slot and sends; once the run is over, closes the connection.
    func sendNext() {
        guard let due = nextDue(sent) else {
            finished.completeWith(connection.map { $0.closeNow() } ?? loop.makeSucceededVoidFuture())
            return
        }
        sent += 1
        let wait = due - clock.now
        if wait > .zero {
            loop.scheduleTask(in: .nanoseconds(wait.nanoseconds)) { self.send(due: due) }
        } else {
            send(due: due)
        }
    }

    private func send(due: ContinuousClock.Instant) {
        let kind = only ?? OfficeDay.pick(&random)
        let request = OfficeDay.request(kind, plan: plan, token: token, key: "\(run)-\(index)-\(sent)", random: &random)
        let connected = connection.flatMap { $0.isOpen ? loop.makeSucceededFuture($0) : nil }
            ?? LoadConnection.open(host: plan.host, port: plan.port, group: loop)
        connected.flatMap { connection in
            self.connection = connection
            return connection.answer(to: request)
        }.whenComplete { result in
            var status = 0
            var acknowledged: String?
            switch result {
            case .success(let response):
                status = response.status
                if kind == .sale, status == 201, self.recorder.keepsAcknowledged {
                    acknowledged = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?["id"] as? String
                }
            case .failure:
                _ = self.connection?.closeNow()
                self.connection = nil
            }
            self.recorder.record(kind, due: due - self.start, done: self.clock.now - self.start, status: status, acknowledgedID: acknowledged)
            self.sendNext()
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
