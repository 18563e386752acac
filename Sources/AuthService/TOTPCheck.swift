import Foundation
import HummingbirdOTP

/// RFC 6238 codes: 6 digits, 30-second steps, SHA-1 (what authenticator apps expect). A code of
/// the step before or after is accepted for clock drift; a step used once is not accepted again.
enum TOTPCheck {
    static let stepSeconds = 30

    /// A new secret: 20 random characters from an alphabet every app handles.
    static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    static func authenticatorURI(secret: String, account: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "NeuroERP:\(account)", issuer: "NeuroERP")
    }

    /// The step the code belongs to, if it is right and newer than `lastUsedStep`.
    static func matchingStep(code: String, secret: String, lastUsedStep: Int, now: Date = Date()) -> Int? {
        guard code.count == 6, let value = Int(code), code.allSatisfy(\.isASCII) else { return nil }
        let current = Int(now.timeIntervalSince1970) / stepSeconds
        let totp = TOTP(secret: secret)
        for step in [current - 1, current, current + 1] where step > lastUsedStep {
            if totp.compute(date: Date(timeIntervalSince1970: Double(step * stepSeconds))) == value { return step }
        }
        return nil
    }

    /// The code an app shows at `date`, zero-padded (for tests and the demo).
    static func code(secret: String, at date: Date = Date()) -> String {
        let value = TOTP(secret: secret).compute(date: date)
        return String(repeating: "0", count: 6 - String(value).count) + String(value)
    }
}
