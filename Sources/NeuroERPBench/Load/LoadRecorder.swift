import Foundation
import Histogram
import Synchronization

/// Every answer of a load run: latencies by share of the mix (from when a request was due, so a
/// server that falls behind is charged for the wait: corrected for coordinated omission), counts
/// by status, and on request the timeline and the IDs of acknowledged sales.
final class LoadRecorder: Sendable {
    private struct State {
        var latency: [OfficeDay.Share?: Histogram<UInt64>] = [:]
        var byKind: [OfficeDay.Kind: (latency: Histogram<UInt64>, failed: Int)] = [:]
        var statuses: [Int: Int] = [:]
        var connectionFailures = 0
        var postedSales = 0
        var lastDone: Duration = .zero
        var timeline: [(due: Duration, done: Duration, status: Int)] = []
        var acknowledged: [String] = []
    }

    private let state = Mutex(State())
    let keepsTimeline: Bool
    let keepsAcknowledged: Bool

    init(keepsTimeline: Bool, keepsAcknowledged: Bool) {
        self.keepsTimeline = keepsTimeline
        self.keepsAcknowledged = keepsAcknowledged
    }

    /// - Parameters: `due` and `done` are offsets from the start of the run; `status` 0 is a
    ///   request that got no answer (refused, reset, timed out).
    func record(_ kind: OfficeDay.Kind, due: Duration, done: Duration, status: Int, acknowledgedID: String?) {
        let micros = UInt64(max(0, (done - due).microseconds))
        state.withLock { state in
            for share in [nil, kind.share] {
                state.latency[share, default: Self.histogram()].record(min(micros, Self.highest))
            }
            state.byKind[kind, default: (Self.histogram(), 0)].latency.record(min(micros, Self.highest))
            if status == 0 || status >= 400 { state.byKind[kind]!.failed += 1 }
            if status == 0 { state.connectionFailures += 1 } else { state.statuses[status, default: 0] += 1 }
            if kind == .sale, status == 201 { state.postedSales += 1 }
            state.lastDone = max(state.lastDone, done)
            if keepsTimeline { state.timeline.append((due, done, status)) }
            if let acknowledgedID { state.acknowledged.append(acknowledgedID) }
        }
    }

    /// The run's figures as JSON-ready values.
    func summary(elapsed: Duration) -> [String: Any] {
        state.withLock { state in
            let seconds = max(elapsed.seconds, 0.001)
            let requests = state.statuses.values.reduce(state.connectionFailures, +)
            let failed = state.connectionFailures + state.statuses.filter { $0.key >= 400 }.values.reduce(0, +)
            var latency: [String: Any] = [:]
            for (share, histogram) in state.latency { latency[share?.rawValue ?? "all"] = Self.percentiles(histogram) }
            var byKind: [String: Any] = [:]
            for (kind, figures) in state.byKind {
                let percentiles = Self.percentiles(figures.latency)
                byKind[kind.rawValue] = ["count": percentiles["count"]!, "failed": figures.failed, "p50": percentiles["p50"]!, "p99": percentiles["p99"]!]
            }
            return [
                "seconds": seconds, "requests": requests, "perSecond": Double(requests) / seconds, "errors": failed,
                "connectionFailures": state.connectionFailures, "statuses": Dictionary(uniqueKeysWithValues: state.statuses.map { (String($0.key), $0.value) }),
                "postedSales": state.postedSales, "postedPerSecond": Double(state.postedSales) / seconds, "latencyMs": latency,
                "byKind": byKind,
            ]
        }
    }

    /// One line per request: due and done in milliseconds since `start` (wall clock), and the status.
    func timelineCSV(start: Date) -> String {
        let origin = start.timeIntervalSince1970 * 1000
        return state.withLock { state in
            state.timeline.map { String(format: "%.1f,%.1f,%d", origin + $0.due.milliseconds, origin + $0.done.milliseconds, $0.status) }
                .joined(separator: "\n")
        }
    }

    var acknowledged: [String] { state.withLock { $0.acknowledged } }

    private static let highest: UInt64 = 120_000_000

    private static func histogram() -> Histogram<UInt64> {
        Histogram(highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
    }

    private static func percentiles(_ histogram: Histogram<UInt64>) -> [String: Double] {
        func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        return [
            "count": Double(histogram.totalCount), "mean": histogram.mean / 1000, "p50": ms(histogram.valueAtPercentile(50)),
            "p95": ms(histogram.valueAtPercentile(95)), "p99": ms(histogram.valueAtPercentile(99)),
            "p999": ms(histogram.valueAtPercentile(99.9)), "max": ms(histogram.max),
        ]
    }
}

extension Duration {
    var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
    var milliseconds: Double { Double(microseconds) / 1000 }
}
