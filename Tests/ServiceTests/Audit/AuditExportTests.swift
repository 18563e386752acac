import ArgumentParser
import Crypto
import ERPKernel
import Foundation
import Testing
@testable import AuditService
@testable import neuroerp

/// An exported trail checked offline, as a tax auditor would with `neuroerp audit verify --file`.
@Suite struct AuditExportTests {
    /// The export of 50 price changes, sealed by the export itself, as lines.
    static func exportedLines() async throws -> (AuditFixture, [String]) {
        let audit = try await AuditFixture.make()
        try await audit.consumer.handle(audit.priceChanges(50))
        var bytes: [UInt8] = []
        try await audit.ledger.export(tenant: audit.tenant) { bytes += $0 }
        return (audit, String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    static func write(_ lines: [String], in audit: AuditFixture, name: String) throws -> URL {
        let file = audit.directory.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)
        return file
    }

    /// The index of the line of record `seq`.
    static func line(of seq: Int, in lines: [String]) -> Int {
        lines.firstIndex { $0.contains(#""seq":\#(seq),"#) && $0.contains(#""type":"record""#) }!
    }

    @Test func anUntouchedExportHolds() async throws {
        let (audit, lines) = try await Self.exportedLines()
        #expect(lines.count == 1 + 50 + 1)  // header, records, the checkpoint the export made
        #expect(lines[0].contains(#""type":"header""#) && lines.last!.contains(#""type":"checkpoint""#))
        let report = try ExportVerifier.verify(file: try Self.write(lines, in: audit, name: "clean.jsonl"))
        #expect(report.valid && report.records == 50 && report.unsealedRecords == 0 && report.lastCheckpointSeq == 50)
        let command = try AuditCommand.Verify.parse(["--file", audit.directory.appendingPathComponent("clean.jsonl").path])
        try command.run()
        await audit.database.close()
    }

    @Test func anEditedARemovedAndAnInsertedLineAreEachNamed() async throws {
        let (audit, original) = try await Self.exportedLines()
        var lines = original
        lines[Self.line(of: 7, in: lines)] = lines[Self.line(of: 7, in: lines)].replacingOccurrences(of: audit.actor.description, with: EntityID.generate().description)
        let copy = lines[Self.line(of: 30, in: lines)].replacingOccurrences(of: #""resourceId":"article-"#, with: #""resourceId":"forged-"#)
        lines.insert(copy, at: Self.line(of: 30, in: lines) + 1)
        lines.remove(at: Self.line(of: 20, in: lines))
        let file = try Self.write(lines, in: audit, name: "tampered.jsonl")
        let report = try ExportVerifier.verify(file: file)
        #expect(!report.valid)
        #expect(report.findings.map(\.seq) == [7, 20, 30])
        #expect(report.findings.map(\.problem) == [.changed, .removed, .inserted])
        let command = try AuditCommand.Verify.parse(["--file", file.path, "--json"])
        #expect(throws: ExitCode(1)) { try command.run() }
        await audit.database.close()
    }

    @Test func aFileReSignedWithAnotherKeyFailsAgainstThePinnedKey() async throws {
        let (audit, lines) = try await Self.exportedLines()
        let file = try Self.write(lines, in: audit, name: "export.jsonl")
        let stranger = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
        let report = try ExportVerifier.verify(file: file, pinnedKey: stranger)
        #expect(!report.valid && report.findings.map(\.problem) == [.checkpoint])
        let ownKey = try #require(try await audit.ledger.checkpoints(tenant: audit.tenant).key)
        #expect(try ExportVerifier.verify(file: file, pinnedKey: ownKey).valid)
        await audit.database.close()
    }

    @Test func aDamagedFileIsRefusedWithItsLineNumber() async throws {
        let (audit, original) = try await Self.exportedLines()
        var lines = original
        lines[5] = "{not json"
        #expect(throws: ExportVerifier.Unreadable.self) { try ExportVerifier.verify(file: try Self.write(lines, in: audit, name: "broken.jsonl")) }
        do {
            _ = try ExportVerifier.verify(file: try Self.write(lines, in: audit, name: "broken.jsonl"))
        } catch let error as ExportVerifier.Unreadable {
            #expect(error.line == 6)
        }
        #expect(throws: ExportVerifier.Unreadable.self) { try ExportVerifier.verify(file: try Self.write(Array(original.dropFirst()), in: audit, name: "headless.jsonl")) }
        let command = try AuditCommand.Verify.parse(["--file", audit.directory.appendingPathComponent("broken.jsonl").path])
        #expect(throws: ExitCode(2)) { try command.run() }
        await audit.database.close()
    }
}
