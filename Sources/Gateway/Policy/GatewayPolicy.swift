import ERPKernel
import Foundation
import Mesh

/// The part of the gateway's configuration that can change while it runs (`--gateway-policy
/// FILE`, re-read when the file changes): the traffic split per service and the access rules.
///
/// ```json
/// {
///   "split": {
///     "users": {
///       "weights": {"stable": 95, "canary": 5},
///       "rules": [{"header": "X-Version", "value": "b", "version": "canary"},
///                 {"cookie": "neuroerp_version", "value": "b", "version": "canary"}]
///     }
///   },
///   "access": [{"path": "/api/v1/reports", "methods": ["GET"], "permission": "reports.read"},
///              {"path": "/api/v1/articles"}]
/// }
/// ```
public struct GatewayPolicy: Sendable, Equatable {
    public var splits: [ServiceName: TrafficSplit]
    public var access: [AccessRule]

    public init(splits: [ServiceName: TrafficSplit] = [:], access: [AccessRule] = []) {
        self.splits = splits
        self.access = access
    }

    /// At most this many rules of each kind, so a policy stays cheap to apply per request.
    static let maximumRules = 200

    /// - Throws: `GatewayPolicyError` naming the first thing that is wrong.
    public init(json data: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GatewayPolicyError("the policy is not a JSON object")
        }
        if let unknown = Set(object.keys).subtracting(["split", "access"]).sorted().first {
            throw GatewayPolicyError("unknown key \"\(unknown)\"; known: split, access")
        }
        self.init()
        guard let splitObject = object["split"] as? [String: Any] ?? (object["split"] == nil ? [:] : nil) else {
            throw GatewayPolicyError("\"split\" must be an object of service names")
        }
        for (name, value) in splitObject {
            guard let service = ServiceName(rawValue: name), service != .gateway else {
                throw GatewayPolicyError("split: \"\(name)\" is not a service")
            }
            splits[service] = try Self.split(value, of: name)
        }
        guard let rules = object["access"] as? [[String: Any]] ?? (object["access"] == nil ? [] : nil), rules.count <= Self.maximumRules else {
            throw GatewayPolicyError("\"access\" must be a list of at most \(Self.maximumRules) rules")
        }
        access = try rules.enumerated().map { try Self.accessRule($1, at: $0) }
    }

    private static func split(_ value: Any, of service: String) throws -> TrafficSplit {
        guard let object = value as? [String: Any] else { throw GatewayPolicyError("split.\(service) must be an object") }
        var weights: [(version: String, weight: Int)] = []
        if let given = object["weights"] {
            guard let map = given as? [String: Int], map.values.allSatisfy({ (0...1_000_000).contains($0) }) else {
                throw GatewayPolicyError("split.\(service).weights must map versions to whole numbers from 0 to 1,000,000")
            }
            weights = map.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        var rules: [TrafficSplit.Rule] = []
        if let given = object["rules"] {
            guard let list = given as? [[String: String]], list.count <= maximumRules else {
                throw GatewayPolicyError("split.\(service).rules must be a list of at most \(maximumRules) objects of text")
            }
            for (index, entry) in list.enumerated() {
                guard let value = entry["value"], let version = entry["version"], entry.count == 3 else {
                    throw GatewayPolicyError("split.\(service).rules[\(index)] needs header or cookie, value and version")
                }
                if let header = entry["header"] {
                    rules.append(.init(source: .header(header), value: value, version: version))
                } else if let cookie = entry["cookie"] {
                    rules.append(.init(source: .cookie(cookie), value: value, version: version))
                } else {
                    throw GatewayPolicyError("split.\(service).rules[\(index)] needs header or cookie")
                }
            }
        }
        return TrafficSplit(rules: rules, weights: weights)
    }

    private static func accessRule(_ object: [String: Any], at index: Int) throws -> AccessRule {
        guard let path = object["path"] as? String, path.hasPrefix("/"), path.count <= 200 else {
            throw GatewayPolicyError("access[\(index)].path must start with / (at most 200 characters)")
        }
        if let unknown = Set(object.keys).subtracting(["path", "methods", "permission"]).sorted().first {
            throw GatewayPolicyError("access[\(index)]: unknown key \"\(unknown)\"")
        }
        var methods: Set<String>?
        if let given = object["methods"] {
            guard let list = given as? [String], !list.isEmpty else { throw GatewayPolicyError("access[\(index)].methods must be a list of methods") }
            methods = Set(list.map { $0.uppercased() })
        }
        var permission: Permission?
        if let given = object["permission"] {
            guard let name = given as? String, Permission.all.contains(Permission(rawValue: name)) else {
                throw GatewayPolicyError("access[\(index)].permission must be one of \(Permission.all.map(\.rawValue).joined(separator: ", "))")
            }
            permission = Permission(rawValue: name)
        }
        return AccessRule(pathPrefix: path, methods: methods, permission: permission)
    }
}

public struct GatewayPolicyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
