import ERPKernel
import Foundation
import Platform
import ServiceRuntime

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

    /// A person's name and e-mail never enter a hashed record: the actor details keep them, where
    /// a GDPR request can remove them.
    static let personalFields: Set<String> = ["email", "name"]
    static let redacted = #""[personal data]""#

    /// Events about a log-in concern the user who logged in: the subject is the user and the actor.
    static let userSessionActions: Set<String> = ["auth.login.succeeded", "auth.logout", "auth.refresh_token.reused"]

    /// The record for `event`, not yet sealed into the chain; `nil` for an event the trail does
    /// not keep (no tenant, or derived).
    static func record(of event: EventEnvelope) -> AuditRecord? {
        guard let tenant = event.tenantID else { return nil }
        let action = Self.action(of: event.type)
        guard !passedOver.contains(action) else { return nil }
        let payload = JSONMembers(Array(event.payload)) ?? JSONMembers(Array("{}".utf8))!
        let parts = action.split(separator: ".")
        let resourceType = userSessionActions.contains(action) || action.hasPrefix("auth.login.")
            ? "user" : parts.count >= 3 ? String(parts[1]) : String(parts.last ?? "event")
        return AuditRecord(
            seq: 0, tenant: tenant.description, eventId: event.id.description,
            occurredAt: RFC3339.string(from: event.occurredAt, fractionalSeconds: true),
            actor: actor(of: event, action: action, payload: payload), action: action, resourceType: resourceType,
            resourceId: event.subject ?? payload.string("approvalNumber") ?? payload.string("checkType"),
            changes: changes(in: payload, redacting: action.hasPrefix("users.user.") ? personalFields : []), correlationId: event.traceID, source: event.source,
            prevHash: "", hash: "")
    }

    /// `transactions.article.changed.v1` → `transactions.article.changed`.
    static func action(of type: String) -> String {
        guard let dot = type.lastIndex(of: "."), type[type.index(after: dot)...].first == "v",
              type[type.index(type.index(after: dot), offsetBy: 1)...].allSatisfy(\.isNumber)
        else { return type }
        return String(type[..<dot])
    }

    private static func actor(of event: EventEnvelope, action: String, payload: JSONMembers) -> String {
        if userSessionActions.contains(action), let subject = event.subject { return subject }
        for key in actorKeys { if let actor = payload.string(key) { return actor } }
        return action == "auth.login.failed" ? "anonymous" : "service:\(event.source)"
    }

    /// What the event changed as `{"after": {…}, "before": {…}}`, keys sorted: the fields that
    /// differ between a change's `before` and `record`, or, for anything new, every non-null
    /// field of the payload as `after` alone. A producer's own `{"field": {"from", "to"}}`
    /// difference is split the same way. Values are copied as raw JSON.
    static func changes(in payload: JSONMembers, redacting personal: Set<String> = []) -> String {
        var before: [(String, ArraySlice<UInt8>?)] = []
        var after: [(String, ArraySlice<UInt8>?)] = []
        if let given = payload.object("changes") {
            for key in given.keys.sorted() {
                guard let change = given.object(key) else { continue }
                before.append((key, change.raw("from")))
                after.append((key, change.raw("to")))
            }
        } else if let record = payload.object("record") {
            let old = payload.object("before")
            for key in Set(record.keys).union(old?.keys ?? []).sorted() {
                let was = old?.raw(key), now = record.raw(key)
                guard was.map(Array.init) != now.map(Array.init) else { continue }
                if old != nil { before.append((key, was)) }
                after.append((key, now))
            }
        } else {
            for key in payload.keys.sorted() where !actorKeys.contains(key) && !payload.isNull(key) { after.append((key, payload.raw(key))) }
        }
        var json = JSONWriter(capacity: payload.bytes.count + 64)
        json.object { json in
            func members(_ name: String, _ values: [(String, ArraySlice<UInt8>?)]) {
                json.object(name) { json in
                    for (key, raw) in values {
                        json.key(key)
                        json.literal(personal.contains(key) ? redacted : raw.map { String(decoding: $0, as: UTF8.self) } ?? "null")
                    }
                }
            }
            members("after", after)
            if !before.isEmpty { members("before", before) }
        }
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
