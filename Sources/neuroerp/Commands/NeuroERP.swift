import ArgumentParser
import NIOCore
import NIOPosix

/// The one binary of NeuroERP: every service, embedded in one process or split across several.
@main
struct NeuroERP: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neuroerp",
        abstract: "NeuroERP: an ERP for German agricultural trade, as ten services in one binary.",
        discussion: """
            `neuroerp serve` runs all ten services in one process (embedded mode, SQLite files under \
            --data-dir). `neuroerp serve --services NAME,…` runs only some; the gateway then reaches \
            the others at the addresses given with --upstream.
            """,
        version: BuildInfo.version,
        subcommands: [ServeCommand.self, MigrateCommand.self, TenantCommand.self, AuditCommand.self, CertsCommand.self, VersionCommand.self],
        defaultSubcommand: ServeCommand.self)

    /// A process whose requests wait on other processes runs its tasks on the NIO event loops
    /// instead of a thread pool of their own: an answer from PostgreSQL, Redis or another service
    /// then resumes its task on the thread it arrived on, where it used to hop to the pool and
    /// back at every await (with the upstream pool per event loop: distributed sales from 489 to
    /// about 580 a second, and less latency added by the gateway). The embedded process waits on
    /// SQLite's threads and in-process calls, and there the pool measured faster (2,028 against
    /// 1,866 sales/s). Blocking work (SQLite, bcrypt) runs on thread pools of its own either way.
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if let serve = command as? ServeCommand {
                let configuration = try serve.configuration()
                if configuration.waitsOnNetwork {
                    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
                }
                try await serve.run(configuration)
            } else if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

enum BuildInfo {
    static let version = "0.1.0"
}
