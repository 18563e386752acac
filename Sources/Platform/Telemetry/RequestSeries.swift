import Prometheus
import Synchronization

/// The request counter and histogram of each (method, route, status), found with one hash
/// lookup: recording runs on every request, and the registry's own lookup is costlier.
final class RequestSeries: Sendable {
    struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    typealias Series = (count: Counter, duration: DurationHistogram)

    private let series = Mutex<[Key: Series]>([:])

    func lookup(method: String, route: String, status: Int, make: () -> Series) -> Series {
        let key = Key(method: method, route: route, status: status)
        if let found = series.withLock({ $0[key] }) { return found }
        let made = make()  // the registry returns the same series if another thread made it first
        series.withLock { $0[key] = made }
        return made
    }
}
