/// The rules a password must meet. Checked where a password is given (users service) and
/// where it is stored (auth service), so a bad one is refused before anything is created.
public enum PasswordPolicy {
    public static let minimumCharacters = 12
    /// A bound against abuse, not a strength rule (bcrypt sees a SHA-256 of the password, so
    /// length beyond bcrypt's 72 bytes still counts).
    public static let maximumCharacters = 128

    public static func findings(password: String, email: String) -> [InvalidParam] {
        var findings: [InvalidParam] = []
        if password.count < minimumCharacters {
            findings.append(InvalidParam(name: "password", reason: "at least \(minimumCharacters) characters"))
        }
        if password.count > maximumCharacters {
            findings.append(InvalidParam(name: "password", reason: "at most \(maximumCharacters) characters"))
        }
        if password.lowercased() == email.lowercased() {
            findings.append(InvalidParam(name: "password", reason: "must not be the e-mail address"))
        }
        return findings
    }
}
