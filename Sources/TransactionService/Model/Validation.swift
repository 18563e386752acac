import ERPKernel
import Foundation
import ServiceRuntime

/// The transactions service's own field checks, beside the common ones.
extension Check {
    static let codeCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/")

    /// SKUs, batch numbers and codes: letters, digits and `. _ - /`.
    static func code(_ value: String, _ name: String) -> [InvalidParam] {
        guard (1...64).contains(value.count), value.unicodeScalars.allSatisfy(codeCharacters.contains) else {
            return [InvalidParam(name: name, reason: "1 to 64 letters, digits or . _ - /")]
        }
        return []
    }

    static func taxCode(_ value: String, _ name: String) -> [InvalidParam] {
        SKR03.taxCodesByCode[value] == nil
            ? [InvalidParam(name: name, reason: "one of \(SKR03.taxCodes.map(\.code).joined(separator: ", "))")] : []
    }
}
