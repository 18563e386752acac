import Prometheus

extension MetricsRegistry {
    /// A registry that also reports the process (`process_*`) and the database pools at scrape time.
    public func addingProcessAndPools(_ databases: [any SQLDatabase]) -> MetricsRegistry {
        let process = ProcessMetrics(registry: self)
        let help = "Open connections per database and role."
        var waiting: [(any SQLDatabase, Gauge)] = []
        for database in databases {
            gauge("db_pool_connections", labels: [("database", database.name), ("role", "reader")], help: help)
                .set(Double(database.readerCount))
            gauge("db_pool_connections", labels: [("database", database.name), ("role", "writer")], help: help).set(1.0)
            waiting.append((database, gauge(
                "db_pool_writers_waiting", labels: [("database", database.name)],
                help: "Transactions queued for the database's writer.")))
        }
        let gauges = waiting
        return adding {
            process.collect()
            for (database, gauge) in gauges { gauge.set(Double(database.writersWaiting)) }
        }
    }
}
