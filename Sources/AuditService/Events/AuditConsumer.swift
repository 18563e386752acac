import ERPKernel
import Foundation
import Platform

/// Takes every audit-relevant event off the bus into the trail, a delivered batch per write.
///
/// Idempotent by event ID (the trail's unique index), so a redelivery after a crash or a
/// failed batch appends nothing twice. Events wait in their producer's outbox while this
/// consumer fails, and arrive when it works again.
struct AuditConsumer: Sendable {
    let ledger: AuditLedger

    var subscriber: EventSubscriber {
        EventSubscriber(name: "audit.trail", typePrefixes: AuditedEvents.typePrefixes, handleBatch: handle)
    }

    func handle(_ events: [EventEnvelope]) async throws {
        try await ledger.append(events.compactMap(AuditedEvents.record), actors: events.compactMap(Self.actorDetail))
    }

    /// Who a user or an API key is, from the events that create or rename them.
    static func actorDetail(_ event: EventEnvelope) -> ActorDetail? {
        guard let tenant = event.tenantID, let subject = event.subject else { return nil }
        let payload = (try? JSONSerialization.jsonObject(with: event.payload)) as? [String: Any] ?? [:]
        switch AuditedEvents.action(of: event.type) {
        case "users.user.created":
            return ActorDetail(
                tenant: tenant.description, actor: subject, kind: "user", name: payload["name"] as? String, email: payload["email"] as? String)
        case "users.user.changed":
            let name = ((payload["changes"] as? [String: Any])?["name"] as? [String: Any])?["to"] as? String
            return name.map { ActorDetail(tenant: tenant.description, actor: subject, kind: "user", name: $0, email: nil) }
        case "auth.api_key.created":
            return ActorDetail(tenant: tenant.description, actor: subject, kind: "api_key", name: payload["name"] as? String, email: nil)
        default:
            return nil
        }
    }
}
