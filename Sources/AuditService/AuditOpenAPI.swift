import ServiceRuntime

/// The audit service's part of `/openapi.json`: the trail, its verification and export.
enum AuditOpenAPI: OpenAPISchemas {
    static var fragment: OpenAPIFragment {
        var fragment = OpenAPIFragment()
        let hash: JSONValue = ["type": "string", "pattern": "^[0-9a-f]{64}$"]
        fragment.schemas["AuditEvent"] = object(
            required: ["seq", "eventId", "occurredAt", "actor", "action", "resourceType", "resourceId", "changes", "correlationId", "source", "prevHash", "hash"],
            [
                "seq": integer, "eventId": string, "occurredAt": dateTime, "action": string, "resourceType": string,
                "resourceId": orNull(string), "changes": ["type": "object"], "correlationId": orNull(string), "source": string,
                "prevHash": hash, "hash": hash,
                "actor": object(
                    required: ["id", "kind", "pseudonymised"],
                    ["id": string, "kind": string, "name": string, "email": string, "pseudonymised": boolean]),
            ])
        let finding = object(
            required: ["seq", "problem", "detail"],
            ["seq": integer, "problem": ["type": "string", "enum": ["changed", "removed", "inserted", "checkpoint"]], "detail": string, "eventId": string])
        fragment.schemas["AuditVerification"] = object(
            required: ["tenant", "valid", "records", "checkpoints", "unsealedRecords", "findings", "findingsTruncated"],
            [
                "tenant": string, "valid": boolean, "records": integer, "checkpoints": integer, "lastCheckpointSeq": integer,
                "unsealedRecords": integer, "keyId": string, "findings": list(finding), "findingsTruncated": boolean,
            ])
        let name = ["type": "string", "minLength": 1, "maxLength": 64] as JSONValue
        fragment.add(
            "GET", "/api/v1/audit/events", id: "listAuditEvents",
            summary: "The tenant's audit trail in order, filtered by resource, actor, action and time (audit.read)", tag: "audit",
            parameters: pageParameters + [
                query("resourceType", name), query("resourceId", ["type": "string", "minLength": 1, "maxLength": 200]),
                query("actor", ["type": "string", "minLength": 1, "maxLength": 100]),
                query("action", ["type": "string", "minLength": 1, "maxLength": 128]),
                query("from", dateTime), query("to", dateTime),
            ],
            responses: read("A page of audit records", page(of: OpenAPIFragment.ref("AuditEvent"))))
        fragment.add(
            "GET", "/api/v1/audit/verify", id: "verifyAuditTrail",
            summary: "Checks the whole trail against its hash chain and signed checkpoints; names each changed, removed or inserted record (audit.read)",
            tag: "audit", responses: ok("The verdict", OpenAPIFragment.ref("AuditVerification")))
        fragment.add(
            "GET", "/api/v1/audit/export", id: "exportAuditTrail",
            summary: "The trail as JSON Lines with its checkpoints and public key, for an auditor or an archive; the export is recorded (audit.read)",
            tag: "audit",
            responses: ["200": ["description": "One JSON object per line", "content": ["application/x-ndjson": ["schema": ["type": "string"]]]]])
        fragment.add(
            "POST", "/api/v1/audit/actors/{id}/pseudonymise", id: "pseudonymiseAuditActor",
            summary: "Removes a person's name and e-mail from the trail's actor details; the hashed records stay valid (users.write)",
            tag: "audit", parameters: [idParameter],
            responses: ok("Done", object(required: ["actor", "pseudonymised"], ["actor": string, "pseudonymised": boolean])))
        return fragment
    }
}
