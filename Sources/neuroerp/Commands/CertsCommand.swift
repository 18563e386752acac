import ArgumentParser
import ERPKernel
import Mesh

/// `neuroerp certs init`: certificates for mTLS between the processes of a development setup.
struct CertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs", abstract: "Certificates for mutual TLS between the processes of split mode.",
        subcommands: [Initialize.self])

    struct Initialize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Make a development CA (kept when present) and one certificate per service.",
            discussion: """
                Writes ca.pem, ca-key.pem and NAME.pem, NAME-key.pem per service into --dir. Run it again to \
                renew the service certificates under the same CA; running processes take them up within \
                five seconds. Start each process with --tls-cert DIR/NAME.pem --tls-key DIR/NAME-key.pem \
                --tls-ca DIR/ca.pem and https:// upstream URLs.
                """)

        @Option(help: "Directory of the certificates and keys (created if missing).") var dir = "./certs"
        @Option(name: .customLong("name"), help: "A certificate for this name; repeatable (default: every service).")
        var names: [String] = ServiceName.allCases.map(\.rawValue)
        @Option(name: .customLong("host"), help: "Host name or IPv4 address the certificates are valid for; repeatable.")
        var hosts: [String] = ["localhost", "127.0.0.1"]
        @Option(help: "Days a new certificate is valid (1…3650).") var days = 825

        func validate() throws {
            guard (1...3650).contains(days) else { throw ValidationError("--days must be from 1 to 3650, not \(days)") }
            for name in names where name.isEmpty || name.count > 64 || !name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                throw ValidationError("--name must be letters, digits and -, at most 64: \"\(name)\"")
            }
        }

        func run() async throws {
            let outcome = try DevelopmentCertificates.write(to: dir, names: names, hosts: hosts, validDays: days)
            print(outcome.createdAuthority ? "new development CA in \(dir)/ca.pem" : "kept the CA in \(dir)/ca.pem")
            for file in outcome.files { print("wrote \(file)") }
        }
    }
}
