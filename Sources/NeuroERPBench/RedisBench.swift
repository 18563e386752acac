import Foundation
import Logging
import Platform

/// Pipelined GETs through the project's Redis client, for `bench/redis` to set beside
/// `redis-benchmark -t get -P 16` on the same server.
enum RedisBench {
    static func run(url: String, gets: Int, pipeline: Int = 16, concurrency: Int = 8) async throws {
        var logger = Logger(label: "bench.redis")
        logger.logLevel = .error
        var configuration = try RedisConfiguration(url: url)
        configuration.poolSize = concurrency
        let client = RedisClient(configuration: configuration, logger: logger)
        let key = "neuroerp-bench:get"
        try await client.set(key, String(repeating: "x", count: 100))
        let batches = gets / pipeline / concurrency
        let command: [RESPArgument] = ["GET", .string(key)]
        let commands = Array(repeating: command, count: pipeline)
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Double] = []
                    latencies.reserveCapacity(batches)
                    for _ in 0..<batches {
                        let sent = ContinuousClock.now
                        for result in try await client.pipeline(commands) {
                            guard case .success(let value) = result, value.bytes?.count == 100 else { throw BenchFailure("a GET came back wrong: \(result)") }
                        }
                        latencies.append((ContinuousClock.now - sent).seconds * 1000)
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let total = latencies.count * pipeline
        _ = try await client.delete([key])
        await client.close()
        let result: [String: Any] = [
            "gets": total, "pipeline": pipeline, "connections": concurrency, "seconds": elapsed,
            "getsPerSecond": Int(Double(total) / elapsed),
            "pipelineP50Ms": latencies[latencies.count / 2], "pipelineP99Ms": latencies[latencies.count * 99 / 100],
            "rssBytes": ProcessMetrics.residentMemoryBytes(),
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }
}

extension Duration {
    /// The duration as fractional seconds, for the benches' figures.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
