import ArgumentParser
import ERPKernel
import Foundation
import Logging
import UserService

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants (Mandanten).", subcommands: [Create.self, Move.self, Shards.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant with its first administrator and print the tenant ID.",
            discussion: "Works on the data directory directly; run it while no server uses the same files, or against a stopped one.")

        @Option(help: "The tenant's name, e.g. the company.") var name: String
        @Option(name: .customLong("admin-email"), help: "Login e-mail of the first administrator.") var adminEmail: String
        @Option(name: .customLong("admin-name"), help: "The administrator's name.") var adminName: String = "Administrator"
        @Option(name: .customLong("admin-password"), help: "The administrator's password; asked for when omitted.")
        var adminPassword: String?
        @Option(name: .customLong("data-dir"), help: ServeCommand.help(.dataDirectory)) var dataDirectory: String?
        @Option(name: .customLong("bcrypt-cost"), help: ServeCommand.help(.bcryptCost)) var bcryptCost: String?
        @Option(name: .customLong("database-url"), help: ServeCommand.help(.databaseURLs)) var databaseURLs: [String] = []

        func run() async throws {
            let password = try adminPassword ?? Self.askPassword()
            var flags = ["services": "users,auth", "logLevel": "warning"]
            flags["dataDir"] = dataDirectory
            flags["bcryptCost"] = bcryptCost
            flags["databaseUrl"] = databaseURLs.isEmpty ? nil : databaseURLs.joined(separator: ",")
            let configuration: ServeConfiguration
            do {
                configuration = try ServeConfiguration(
                    sources: ConfigurationSources(flags: flags, environment: ProcessInfo.processInfo.environment))
            } catch let error as ConfigurationError {
                throw ValidationError(error.description)
            }
            var logger = Logger(label: "neuroerp.tenant")
            logger.logLevel = .warning
            let process = try await ProcessAssembly(configuration: configuration, logger: logger).build()
            do {
                let users = process.modules.compactMap { $0 as? UserServiceModule }.first!
                let (tenant, _) = try await users.createTenant(name: name, adminEmail: adminEmail, adminName: adminName, password: password)
                print(tenant)
            } catch let problem as Problem {
                await process.close()
                throw ValidationError(([problem.detail ?? problem.title] + problem.invalidParams.map { "\($0.name): \($0.reason)" }).joined(separator: "\n"))
            }
            await process.close()
        }

        static func askPassword() throws -> String {
            if isatty(STDIN_FILENO) == 1, let typed = getpass("Password for the administrator: ") {
                return String(cString: typed)
            }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("Give --admin-password or type the password on standard input.")
            }
            return line
        }
    }
}
