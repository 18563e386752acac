import Foundation
import Testing
@testable import neuroerp

/// The README's configuration table is the operator's reference: it must name every setting.
@Suite struct ReadmeTests {
    @Test func theConfigurationTableNamesEveryFlagVariableAndKey() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for setting in Setting.all {
            #expect(readme.contains("`\(setting.flag)"), "README lacks \(setting.flag)")
            #expect(readme.contains("`\(setting.environment)`"), "README lacks \(setting.environment)")
            #expect(readme.contains("`\(setting.key)`"), "README lacks \(setting.key)")
            if let value = setting.defaultValue { #expect(readme.contains("`\(value)`"), "README lacks the default of \(setting.flag)") }
        }
    }
}
