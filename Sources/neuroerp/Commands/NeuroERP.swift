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

    /// Tasks run on the NIO event loops instead of a thread pool of their own: a request then
    /// stays on the thread its connection lives on, where it used to hop to the pool and back
    /// at every await. Blocking work (SQLite, bcrypt) already runs on thread pools of its own.
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}

enum BuildInfo {
    static let version = "0.1.0"
}
