import Foundation

/// Micro-benchmarks that need no server: `neuroerp-bench tokens [N]` (bench/identity) and
/// `neuroerp-bench gate [N]` (bench/compliance). Each prints one JSON object.
@main
enum NeuroERPBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let count = arguments.dropFirst().first.flatMap { Int($0) }
        switch arguments.first {
        case "tokens": try await TokenVerificationBench.run(iterations: count ?? 20_000)
        case "gate": try await GateBench.run(decisions: count ?? 2_000_000)
        default:
            print("usage: neuroerp-bench tokens [N] | gate [N]")
            exit(2)
        }
    }
}
