import ERPKernel
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
        let action = AuditedEvents.action(of: event.type)
        guard ["users.user.created", "users.user.changed", "auth.api_key.created"].contains(action),
              let payload = JSONMembers(Array(event.payload))
        else { return nil }
        switch action {
        case "users.user.created":
            return ActorDetail(tenant: tenant.description, actor: subject, kind: "user", name: payload.string("name"), email: payload.string("email"))
        case "users.user.changed":
            let name = payload.object("changes")?.object("name")?.string("to")
            return name.map { ActorDetail(tenant: tenant.description, actor: subject, kind: "user", name: $0, email: nil) }
        default:
            return ActorDetail(tenant: tenant.description, actor: subject, kind: "api_key", name: payload.string("name"), email: nil)
        }
    }
}
