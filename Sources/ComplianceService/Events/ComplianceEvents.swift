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

    static func make(
        _ type: String, tenant: TenantID, subject: EntityID?, trace: TraceContext?, payload: (inout JSONWriter) -> Void
    ) -> EventEnvelope {
        var json = JSONWriter(capacity: 256)
        json.object(payload)
        return EventEnvelope(
            type: "compliance.\(type).v1", source: ServiceName.compliance.rawValue, tenantID: tenant,
            subject: subject?.description, traceID: trace?.traceID, payload: json.data)
    }
}
