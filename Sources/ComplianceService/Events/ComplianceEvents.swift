import ERPKernel
import Foundation
import ServiceRuntime

/// The events the compliance service publishes (`compliance.<thing>.<what>.v1`).
enum ComplianceEvents {
    static func statusChanged(_ batch: BatchQuality, from: BatchStatus?, tenant: TenantID, trace: TraceContext?) -> EventEnvelope {
        make("batch.status_changed", tenant: tenant, subject: batch.batchId, trace: trace) { json in
            json.field("batchId", batch.batchId.description)
            json.fieldOrNull("batchNumber", batch.batchNumber)
            json.fieldOrNull("changedBy", batch.changedBy?.description)
            json.fieldOrNull("from", from?.rawValue)
            json.fieldOrNull("reason", batch.reason)
            json.field("to", batch.status.rawValue)
            json.field("version", batch.version)
        }
    }

    static func approvalChanged(_ approval: PSMApproval, tenant: TenantID, trace: TraceContext?) -> EventEnvelope {
        make("psm_approval.changed", tenant: tenant, subject: nil, trace: trace) { json in
            json.field("approvalNumber", approval.approvalNumber)
            json.field("expiresOn", approval.expiresOn)
            json.field("holder", approval.holder)
            json.field("updatedBy", approval.updatedBy.description)
        }
    }

    static func batchChecked(_ check: BatchCheck, tenant: TenantID, trace: TraceContext?) -> EventEnvelope {
        make("batch.checked", tenant: tenant, subject: check.batchId, trace: trace) { json in
            json.field("actor", check.checkedBy.description)
            json.field("checkId", check.id.description)
            json.field("checkType", check.checkType.rawValue)
            json.field("contentHash", check.contentHash)
            json.field("outcome", check.outcome.rawValue)
            json.field("ruleSetVersion", check.ruleSetVersion)
        }
    }

    static func ruleSetChanged(_ ruleSet: RuleSet, tenant: TenantID, trace: TraceContext?) -> EventEnvelope {
        make("rule_set.changed", tenant: tenant, subject: nil, trace: trace) { json in
            json.field("checkType", ruleSet.checkType.rawValue)
            json.fieldOrNull("createdBy", ruleSet.createdBy?.description)
            json.field("version", ruleSet.version)
        }
    }

    static func monitor(_ monitor: Monitor, tenant: TenantID, trace: TraceContext?) -> EventEnvelope {
        make(monitor.active ? "monitor.started" : "monitor.stopped", tenant: tenant, subject: monitor.id, trace: trace) { json in
            json.field("actor", (monitor.active ? monitor.startedBy : monitor.stoppedBy ?? monitor.startedBy).description)
            json.field("targetId", monitor.target.id.description)
            json.field("targetKind", monitor.target.kind.rawValue)
        }
    }

    /// `compliance.alert.opened.v1`, `….acknowledged.v1`, `….resolved.v1`: notifications listen.
    static func alert(_ alert: Alert, tenant: TenantID, trace: TraceContext?) -> EventEnvelope {
        make("alert.\(alert.status == .open ? "opened" : alert.status.rawValue)", tenant: tenant, subject: alert.id, trace: trace) { json in
            // Opened by a measurement (the service's own doing); acknowledged and resolved by someone.
            json.field("actor", (alert.resolvedBy ?? alert.acknowledgedBy)?.description)
            json.field("lastValue", alert.lastValue)
            json.field("monitorId", alert.monitorId.description)
            json.field("property", alert.property)
            json.field("severity", alert.severity.rawValue)
            json.field("targetId", alert.target.id.description)
            json.field("targetKind", alert.target.kind.rawValue)
        }
    }

    /// `compliance.psm_approval.expiring.v1` or `….expired.v1`: the sales team hears of it.
    static func approvalExpiry(_ approval: PSMApproval, expired: Bool, daysLeft: Int, tenant: TenantID) -> EventEnvelope {
        make("psm_approval.\(expired ? "expired" : "expiring")", tenant: tenant, subject: nil, trace: nil) { json in
            json.field("approvalNumber", approval.approvalNumber)
            json.array("articleIds", approval.articleIds) { json, id in json.string(id.description) }
            json.field("daysLeft", daysLeft)
            json.field("expiresOn", approval.expiresOn)
            json.field("holder", approval.holder)
        }
    }

    static func make(
        _ type: String, tenant: TenantID, subject: EntityID?, trace: TraceContext?, payload: (inout JSONWriter) -> Void
    ) -> EventEnvelope {
        EventEnvelope.make(.compliance, type, tenant: tenant, subject: subject?.description, trace: trace, payload: payload)
    }
}
