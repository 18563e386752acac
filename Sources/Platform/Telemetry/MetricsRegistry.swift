import Prometheus

/// The process's Prometheus registry and the metrics every service shares.
///
/// Metrics are made through this type rather than the global swift-metrics factory so each one
/// carries a HELP text: `promtool check metrics` rejects metrics without one.
public final class MetricsRegistry: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let collectors: [@Sendable () -> Void]
    private let requestSeries: RequestSeries

    /// Latency buckets from 0.5 ms to 10 s: the seed's targets sit at 100 ms.
    public static let latencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(10),
    ]

    /// - Parameter collectors: called before each scrape to refresh gauges (process memory, lag).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), collectors: [@Sendable () -> Void] = []) {
        self.registry = registry
        self.collectors = collectors
        self.requestSeries = RequestSeries()
    }

    private init(registry: PrometheusCollectorRegistry, collectors: [@Sendable () -> Void], requestSeries: RequestSeries) {
        self.registry = registry
        self.collectors = collectors
        self.requestSeries = requestSeries
    }

    /// A copy that also runs `collector` before every scrape.
    public func adding(collector: @escaping @Sendable () -> Void) -> MetricsRegistry {
        MetricsRegistry(registry: registry, collectors: collectors + [collector], requestSeries: requestSeries)
    }

    /// The text exposition format, after refreshing every collected gauge.
    public func scrape() -> [UInt8] {
        for collect in collectors { collect() }
        return registry.emitToBuffer()
    }

    // MARK: HTTP

    public func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let series = requestSeries.lookup(method: method, route: route, status: status) {
            let labels = [("method", method), ("route", route), ("status", String(status))]
            return (
                counter("http_requests_total", labels: labels, help: "HTTP requests answered, by method, route template and status."),
                histogram(
                    "http_request_duration_seconds", labels: [("method", method), ("route", route)],
                    help: "Time from request head to response, by method and route template.")
            )
        }
        series.count.increment()
        series.duration.record(duration)
    }

    // MARK: Upstream calls

    /// The series of the calls to one replica, looked up once by its client instead of per call.
    /// - Parameter version: the version label of the replica (`stable` unless configured).
    public func upstreamCalls(service: String, version: String) -> UpstreamCallSeries {
        UpstreamCallSeries(metrics: self, service: service, version: version)
    }

    public struct UpstreamCallSeries: Sendable {
        let metrics: MetricsRegistry
        let service, version: String
        let answered: Counter
        let duration: DurationHistogram

        init(metrics: MetricsRegistry, service: String, version: String) {
            (self.metrics, self.service, self.version) = (metrics, service, version)
            answered = Self.counter(metrics, service, version, "ok")
            duration = metrics.histogram(
                "upstream_request_duration_seconds", labels: [("service", service)], help: "Duration of calls to other services.")
        }

        /// - Parameter outcome: `ok`, `timeout`, `unavailable`, `bad_response`.
        public func record(outcome: String, duration elapsed: Duration) {
            (outcome == "ok" ? answered : Self.counter(metrics, service, version, outcome)).increment()
            duration.record(elapsed)
        }

        private static func counter(_ metrics: MetricsRegistry, _ service: String, _ version: String, _ outcome: String) -> Counter {
            metrics.counter(
                "upstream_requests_total", labels: [("service", service), ("version", version), ("outcome", outcome)],
                help: "Calls to other services, by service, replica version and outcome.")
        }
    }

    // MARK: Gauges

    /// The gauge with this name and labels, made on first use.
    /// A circuit breaker's state: 0 closed, 1 half-open, 2 open.
    public func recordCircuitState(service: String, replica: String, state: Int) {
        gauge(
            "upstream_circuit_state", labels: [("service", service), ("replica", replica)],
            help: "Circuit breaker per upstream replica: 0 closed, 1 half-open, 2 open.")
            .set(to: Double(state))
    }

    public func recordUpstreamRetry(service: String) {
        counter("upstream_retries_total", labels: [("service", service)], help: "Calls to other services sent again after a failure.").increment()
    }

    public func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }

    /// The counter with this name and labels, made on first use.
    public func counter(_ name: String, labels: [(String, String)] = [], help: String) -> Counter {
        registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
    }

    /// The latency histogram with this name and labels, made on first use.
    public func histogram(_ name: String, labels: [(String, String)] = [], help: String) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: Self.latencyBuckets)
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
