import ERPKernel
import Foundation
import ServiceRuntime

public enum UserStatus: String, Sendable, Codable, CaseIterable {
    case active, locked, disabled
}

/// A person who works in one tenant.
public struct User: Sendable, Codable, Equatable {
    public var id: EntityID
    public var tenantId: TenantID
    public var email: String
    public var name: String
    public var locale: String
    public var status: UserStatus
    public var roles: [String]
    public var createdAt: Date
    public var updatedAt: Date
}

public struct Tenant: Sendable, Codable, Equatable {
    public var id: TenantID
    public var name: String
    public var createdAt: Date
}

/// What the auth service needs to issue a token for a user.
public struct UserAccess: Sendable, Codable, Equatable {
    public var userId: EntityID
    public var tenantId: TenantID
    public var email: String
    public var status: UserStatus
    public var roles: [String]
    public var permissions: [String]
}

struct NewUserRequest: Decodable {
    var email: String
    var name: String
    var locale: String?
    var roles: [String]
    var password: String
}

struct UserChangeRequest: Decodable {
    var name: String?
    var locale: String?
    var status: UserStatus?

    init(name: String?, locale: String?, status: UserStatus?) {
        self.name = name
        self.locale = locale
        self.status = status
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: ["name", "locale", "status"])
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        name = try container.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "name"))
        locale = try container.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "locale"))
        status = try container.decodeIfPresent(UserStatus.self, forKey: AnyCodingKey(stringValue: "status"))
    }
}

/// What a user may change about themselves: not their status, not their roles.
struct ProfileChangeRequest: Decodable {
    var name: String?
    var locale: String?

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: ["name", "locale"])
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        name = try container.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "name"))
        locale = try container.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: "locale"))
    }
}

struct RolesRequest: Decodable {
    var roles: [String]
}

/// Input rules, pure: each returns the findings a 400 lists.
enum UserValidation {
    static let locales: Set<String> = ["de-DE", "en-GB", "en-US", "pl-PL", "nl-NL", "fr-FR"]

    static func email(_ email: String) -> [InvalidParam] {
        let ok = email.utf8.count <= 254 && email.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) != nil
        return ok ? [] : [InvalidParam(name: "email", reason: "not an e-mail address")]
    }

    static func name(_ name: String) -> [InvalidParam] {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        // Counted in Unicode scalars, as JSON Schema's maxLength counts: combining marks count too.
        return (1...200).contains(trimmed.unicodeScalars.count) ? [] : [InvalidParam(name: "name", reason: "1 to 200 characters")]
    }

    static func locale(_ locale: String) -> [InvalidParam] {
        locales.contains(locale) ? [] : [InvalidParam(name: "locale", reason: "one of \(locales.sorted().joined(separator: ", "))")]
    }

    static func roles(_ roles: [String]) -> [InvalidParam] {
        guard Set(roles).count == roles.count else { return [InvalidParam(name: "roles", reason: "a role appears twice")] }
        let unknown = roles.filter { Role.named($0) == nil }
        if !unknown.isEmpty {
            return [InvalidParam(name: "roles", reason: "unknown: \(unknown.joined(separator: ", ")); known: \(Role.all.map(\.name).joined(separator: ", "))")]
        }
        return roles.count <= Role.all.count ? [] : [InvalidParam(name: "roles", reason: "too many")]
    }

    static func check(_ findings: [InvalidParam]) throws(Problem) {
        guard findings.isEmpty else {
            throw .validation("The request has \(findings.count) invalid field(s).", invalidParams: findings)
        }
    }
}
