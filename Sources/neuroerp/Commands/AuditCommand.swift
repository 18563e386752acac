import ArgumentParser
import AuditService
import Foundation
import ServiceRuntime

/// `neuroerp audit verify --file EXPORT`: checks an exported trail without a server.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with exported audit trails.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an exported trail (GET /api/v1/audit/export) offline.",
            discussion: """
                Recomputes every record's hash, follows the chain and checks every checkpoint's \
                signature. Names each record that was changed, removed or inserted. Exit status: 0 when \
                the trail holds, 1 when it does not, 2 when the file cannot be read.
                """)

        @Option(name: .long, help: "The JSON Lines export to check.")
        var file: String

        @Option(name: .long, help: "The Audit DB's public key (base64) to pin; by default the key in the file's header is used.")
        var publicKey: String?

        @Flag(name: .long, help: "Print the verdict as JSON.")
        var json = false

        func run() throws {
            let report: ChainReport
            do {
                report = try ExportVerifier.verify(file: URL(fileURLWithPath: file), pinnedKey: publicKey)
            } catch {
                FileHandle.standardError.write(Data("neuroerp audit verify: \(file): \(error)\n".utf8))
                throw ExitCode(2)
            }
            if json {
                print(String(decoding: try JSONCoding.encoder.encode(report), as: UTF8.self))
            } else {
                print(Self.describe(report))
            }
            if !report.valid { throw ExitCode(1) }
        }

        static func describe(_ report: ChainReport) -> String {
            var lines = [
                "tenant \(report.tenant): \(report.records) records, \(report.checkpoints) checkpoints"
                    + (report.keyId.map { ", key \($0)" } ?? ", no public key"),
            ]
            if report.unsealedRecords > 0 { lines.append("\(report.unsealedRecords) records after the last valid checkpoint") }
            for finding in report.findings {
                lines.append("seq \(finding.seq): \(finding.problem.rawValue): \(finding.detail)" + (finding.eventId.map { " (event \($0))" } ?? ""))
            }
            if report.findingsTruncated { lines.append("… more findings were not listed") }
            lines.append(report.valid ? "valid" : "NOT valid")
            return lines.joined(separator: "\n")
        }
    }
}
