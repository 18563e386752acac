import ArgumentParser

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the version of this binary and exit.")

    func run() {
        print("neuroerp \(BuildInfo.version)")
    }
}
