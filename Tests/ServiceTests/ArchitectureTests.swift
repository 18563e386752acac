import Foundation
import Testing

/// The dependency rules of the design, checked on the sources: a service never imports another
/// service, and the kernel imports no framework or adapter.
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let services = [
        "Gateway", "AuthService", "UserService", "TransactionService", "ComplianceService", "DocumentService",
        "NotificationService", "ReportingService", "DashboardService", "AuditService",
    ]

    /// The modules each Swift file under `Sources/<target>` imports.
    static func imports(of target: String) throws -> Set<String> {
        let directory = root.appendingPathComponent("Sources/\(target)")
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        var modules = Set<String>()
        for case let file as URL in files where file.pathExtension == "swift" {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                if let match = line.firstMatch(of: /^\s*(?:@testable\s+)?(?:public\s+|internal\s+|package\s+)?import\s+(\w+)/) {
                    modules.insert(String(match.1))
                }
            }
        }
        return modules
    }

    @Test(arguments: services)
    func aServiceImportsNoOtherService(_ service: String) throws {
        let imported = try Self.imports(of: service)
        #expect(!imported.isEmpty)
        #expect(imported.isDisjoint(with: Set(Self.services).subtracting([service])), "\(service) imports \(imported.intersection(Self.services))")
    }

    @Test func theKernelImportsOnlyTheStandardLibraries() throws {
        let imported = try Self.imports(of: "ERPKernel")
        #expect(imported.isSubset(of: ["Foundation", "FoundationEssentials", "Synchronization"]), "\(imported)")
    }
}
