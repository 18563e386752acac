/// An error a caller can act on, rendered as RFC 9457 `application/problem+json`.
///
/// Services throw `Problem`s for every expected failure; anything else that escapes a handler is
/// reported as a generic `internal` problem while its cause goes to the log only.
public struct Problem: Error, Sendable, Equatable {
    /// HTTP status code.
    public var status: Int
    /// Stable machine-readable code, e.g. `validation.malformed_json`.
    public var code: ProblemCode
    /// Short summary that does not change between occurrences.
    public var title: String
    /// What happened this time, for a person. Never SQL, a stack trace or a secret.
    public var detail: String?
    public var category: ProblemCategory
    public var severity: ProblemSeverity
    /// Field-level findings for validation problems.
    public var invalidParams: [InvalidParam]
    /// Extra headers the response must carry (for example `Retry-After`, `Allow`).
    public var headers: [String: String]

    public init(
        status: Int, code: ProblemCode, title: String, detail: String? = nil,
        category: ProblemCategory, severity: ProblemSeverity? = nil,
        invalidParams: [InvalidParam] = [], headers: [String: String] = [:]
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.category = category
        self.severity = severity ?? (status >= 500 ? .error : .warning)
        self.invalidParams = invalidParams
        self.headers = headers
    }

    /// The `type` URI; it names the code so clients can look it up.
    public var type: String { "https://neuroerp.dev/problems/\(code.rawValue)" }
}

/// One finding on one input field: `{"name": "items[0].quantity", "reason": "…"}`.
public struct InvalidParam: Sendable, Equatable, Codable {
    public var name: String
    public var reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}

/// A stable, extensible code. New codes are added as static members next to their domain.
public struct ProblemCode: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
}

/// The classification the seed's global error handler asks for.
public enum ProblemCategory: String, Sendable, Codable, CaseIterable {
    case validation, authentication, authorization
    case notFound = "not_found"
    case conflict
    case rateLimited = "rate_limited"
    case dependency, `internal`
}

public enum ProblemSeverity: String, Sendable, Codable {
    case info, warning, error, critical
}
