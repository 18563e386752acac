import Foundation
import Prometheus
import Synchronization

/// The standard `process_*` metrics, read from `/proc/self` at scrape time (Linux only; on other
/// systems the gauges stay at zero).
public final class ProcessMetrics: Sendable {
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let openFileDescriptors: Gauge
    private let maxFileDescriptors: Gauge
    private let cpuSeconds: Counter
    private let lastCPUSeconds = Mutex(0.0)
    private let startTime: Gauge

    public init(registry: MetricsRegistry) {
        residentMemory = registry.gauge("process_resident_memory_bytes", help: "Resident memory size in bytes.")
        virtualMemory = registry.gauge("process_virtual_memory_bytes", help: "Virtual memory size in bytes.")
        openFileDescriptors = registry.gauge("process_open_fds", help: "Number of open file descriptors.")
        maxFileDescriptors = registry.gauge("process_max_fds", help: "Maximum number of open file descriptors.")
        cpuSeconds = registry.counter("process_cpu_seconds_total", help: "User and system CPU time spent, in seconds.")
        startTime = registry.gauge("process_start_time_seconds", help: "Start time of the process since the Unix epoch, in seconds.")
        startTime.set(Date().timeIntervalSince1970)
    }

    public func collect() {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in status.split(separator: "\n") {
                if line.hasPrefix("VmRSS:") { residentMemory.set(Double(Self.kilobytes(line) * 1024)) }
                if line.hasPrefix("VmSize:") { virtualMemory.set(Double(Self.kilobytes(line) * 1024)) }
            }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFileDescriptors.set(Double(entries.count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFileDescriptors.set(Double(limit.rlim_cur)) }
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1_000_000
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1_000_000
            let total = user + system
            let delta = lastCPUSeconds.withLock { last in
                defer { last = max(last, total) }
                return max(0, total - last)
            }
            cpuSeconds.increment(by: delta)
        }
    }

    /// Resident memory now, in bytes; used by the readiness log line and benchmarks.
    public static func residentMemoryBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.map { kilobytes($0) * 1024 } ?? 0
    }

    private static func kilobytes(_ line: Substring) -> Int {
        Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
    }
}
