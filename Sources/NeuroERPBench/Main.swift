import Foundation
import NIOCore
import NIOPosix

/// Micro-benchmarks that need no server: `neuroerp-bench tokens [N]` (bench/identity) and
/// `neuroerp-bench gate [N]` (bench/compliance), `neuroerp-bench audit [N]` (bench/audit); and the load
/// generator of `bench/run` (`neuroerp-bench load …`), which needs a server. Each prints one JSON object.
@main
enum NeuroERPBench {
    static func main() async throws {
        // As in neuroerp: tasks run on the event loops their connections live on, so the load
        // generator spends less of the machine's CPU on itself.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let arguments = Array(CommandLine.arguments.dropFirst())
        let count = arguments.dropFirst().first.flatMap { Int($0) }
        switch arguments.first {
        case "tokens": try await TokenVerificationBench.run(iterations: count ?? 20_000)
        case "gate": try await GateBench.run(decisions: count ?? 2_000_000)
        case "audit": try await AuditBench.run(events: count ?? 1_000_000)
        case "load":
            let options = try LoadOptions(Array(arguments.dropFirst(2)))
            switch arguments.dropFirst().first {
            case "seed": try await Seeder.run(options)
            case "run": try await LoadRun.run(options)
            case "verify": try await AcknowledgedCheck.run(options)
            default: usage()
            }
        case "redis-get":
            let url = arguments.dropFirst().first ?? "redis://127.0.0.1:6390"
            try await RedisBench.run(url: url, gets: arguments.dropFirst(2).first.flatMap { Int($0) } ?? 2_000_000)
        default: usage()
        }
    }

    static func usage() -> Never {
        print("""
            usage: neuroerp-bench tokens [N] | gate [N] | audit [N] | redis-get URL [N]
                   neuroerp-bench load seed --plan FILE [--host H --port P --articles N --partners N --users N]
                   neuroerp-bench load run --plan FILE [--users N] [--rate R | --interval S] [--duration S] [--only KIND]
                                           [--timeline FILE] [--acknowledged FILE]
                   neuroerp-bench load verify --plan FILE --acknowledged FILE
            """)
        exit(2)
    }
}
