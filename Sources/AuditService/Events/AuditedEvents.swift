import ERPKernel
import Foundation
import Platform

/// Which events the trail records, and how an event becomes an audit record.
///
/// The producers name the acting user in their payloads under a few keys (`actor`, `changedBy`,
/// …); an event without one was the service's own doing (an expiry watch, a derived booking).
enum AuditedEvents {
    static let typePrefixes = ["auth.", "users.", "transactions.", "compliance.", "documents."]

    /// Derived from an event that is itself recorded (the posting names its movements' totals).
    static let passedOver: Set<String> = ["transactions.stock.changed"]

    /// Payload members that name who acted, most specific first.
    static let actorKeys = ["actor", "changedBy", "updatedBy", "createdBy", "checkedBy", "startedBy", "stoppedBy"]

    /// Events about a log-in concern the user who logged in: the subject is the user and the actor.
    static let userSessionActions: Set<String> = ["auth.login.succeeded", "auth.logout", "auth.refresh_token.reused"]

    /// The record for `event`, not yet sealed into the chain; `nil` for an event the trail does
    /// not keep (no tenant, or derived).
    static func record(of event: EventEnvelope) -> AuditRecord? {
        guard let tenant = event.tenantID else { return nil }
        let action = Self.action(of: event.type)
        guard !passedOver.contains(action) else { return nil }
        let payload = (try? JSONSerialization.jsonObject(with: event.payload)) as? [String: Any] ?? [:]
        let parts = action.split(separator: ".")
        let resourceType = userSessionActions.contains(action) || action.hasPrefix("auth.login.")
            ? "user" : parts.count >= 3 ? String(parts[1]) : String(parts.last ?? "event")
        return AuditRecord(
            seq: 0, tenant: tenant.description, eventId: event.id.description,
            occurredAt: RFC3339.string(from: event.occurredAt, fractionalSeconds: true),
            actor: actor(of: event, action: action, payload: payload), action: action, resourceType: resourceType,
            resourceId: event.subject ?? (payload["approvalNumber"] as? String) ?? (payload["checkType"] as? String),
            changes: changes(in: payload), correlationId: event.traceID, source: event.source,
            prevHash: "", hash: "")
    }

    /// `transactions.article.changed.v1` → `transactions.article.changed`.
    static func action(of type: String) -> String {
        guard let dot = type.lastIndex(of: "."), type[type.index(after: dot)...].first == "v",
              type[type.index(type.index(after: dot), offsetBy: 1)...].allSatisfy(\.isNumber)
        else { return type }
        return String(type[..<dot])
    }

    private static func actor(of event: EventEnvelope, action: String, payload: [String: Any]) -> String {
        if userSessionActions.contains(action), let subject = event.subject { return subject }
        for key in actorKeys { if let actor = payload[key] as? String { return actor } }
        return action == "auth.login.failed" ? "anonymous" : "service:\(event.source)"
    }

    /// What the event changed as `{"field": {"from": …, "to": …}}`: the producer's own difference
    /// when it sent one, the fields that differ between `before` and `record`, or else every
    /// field of the payload as a new value.
    static func changes(in payload: [String: Any]) -> String {
        var changes: [String: Any] = [:]
        if let given = payload["changes"] as? [String: Any] {
            changes = given
        } else if let after = payload["record"] as? [String: Any] {
            let before = payload["before"] as? [String: Any] ?? [:]
            for key in Set(before.keys).union(after.keys) where !same(before[key], after[key]) {
                changes[key] = ["from": before[key] ?? NSNull(), "to": after[key] ?? NSNull()]
            }
        } else {
            for (key, value) in payload where !actorKeys.contains(key) && !(value is NSNull) {
                changes[key] = ["from": NSNull(), "to": value]
            }
        }
        return text(changes)
    }

    private static func same(_ lhs: Any?, _ rhs: Any?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): true
        case (let lhs?, let rhs?): text(lhs) == text(rhs)
        default: false
        }
    }

    /// Compact JSON with sorted keys, so equal changes are equal text.
    static func text(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
