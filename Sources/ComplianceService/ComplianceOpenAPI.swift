import ServiceRuntime

/// The compliance service's part of `/openapi.json`: batch quality status and the PSM register.
enum ComplianceOpenAPI: OpenAPISchemas {
    static let approvalNumber: JSONValue = ["type": "string", "pattern": "^[A-Za-z0-9-]{1,32}$"]
    static let numberParameter: JSONValue = ["name": "number", "in": "path", "required": true, "schema": approvalNumber]

    static var fragment: OpenAPIFragment {
        var fragment = OpenAPIFragment()
        addBatches(to: &fragment)
        addRegister(to: &fragment)
        return fragment
    }

    static func addBatches(to fragment: inout OpenAPIFragment) {
        let status = values(BatchStatus.self)
        fragment.schemas["BatchQuality"] = object(
            required: ["batchId", "status", "changedAt", "version"],
            [
                "batchId": uuid, "articleId": uuid, "batchNumber": string, "status": status, "reason": string, "changedBy": uuid,
                "changedAt": dateTime, "version": integer,
            ])
        let step = object(
            required: ["id", "to", "reason", "changedBy", "changedAt"],
            ["id": uuid, "from": status, "to": status, "reason": string, "changedBy": uuid, "changedAt": dateTime])
        var detail = fragment.schemas["BatchQuality"]!
        if case .object(var members) = detail, case .object(var properties)? = members["properties"], case .array(let required)? = members["required"] {
            properties["history"] = list(step)
            members["properties"] = .object(properties)
            members["required"] = .array(required + ["history"])
            detail = .object(members)
        }
        let batch = OpenAPIFragment.ref("BatchQuality")
        fragment.add(
            "GET", "/api/v1/compliance/batches", id: "listBatchQuality", summary: "Batches and their quality status (compliance.read)",
            tag: "compliance", parameters: pageParameters + [query("status", status)], responses: read("A page of batches", page(of: batch)))
        fragment.add(
            "GET", "/api/v1/compliance/batches/{id}", id: "getBatchQuality",
            summary: "A batch's quality status and its whole history (compliance.read)", tag: "compliance",
            parameters: [idParameter], responses: read("The batch with its history", detail))
        fragment.add(
            "POST", "/api/v1/compliance/batches/{id}/status", id: "changeBatchStatus",
            summary: "Release, condition, block, recall or re-test a batch (compliance.write); the gate on sales follows at once",
            tag: "compliance", parameters: [idParameter, idempotencyKey],
            requestSchema: strict(required: ["status", "reason"], ["status": status, "reason": text(1...500)]),
            responses: ok("The batch", batch))
    }

    static func addRegister(to fragment: inout OpenAPIFragment) {
        fragment.schemas["PSMApproval"] = object(
            required: ["approvalNumber", "holder", "expiresOn", "restrictions", "articleIds", "updatedBy", "updatedAt", "version"],
            [
                "approvalNumber": approvalNumber, "holder": string, "expiresOn": dateText, "restrictions": list(string),
                "articleIds": list(uuid), "updatedBy": uuid, "updatedAt": dateTime, "version": integer, "expiryWarnedAt": dateTime,
            ])
        let approval = OpenAPIFragment.ref("PSMApproval")
        fragment.add(
            "GET", "/api/v1/compliance/psm-approvals", id: "listPSMApprovals", summary: "The tenant's PSM approval register (compliance.read)",
            tag: "compliance", parameters: pageParameters, responses: read("A page of approvals", page(of: approval)))
        fragment.add(
            "GET", "/api/v1/compliance/psm-approvals/{number}", id: "getPSMApproval", summary: "One approval (compliance.read)",
            tag: "compliance", parameters: [numberParameter], responses: read("The approval", approval))
        fragment.add(
            "PUT", "/api/v1/compliance/psm-approvals/{number}", id: "putPSMApproval",
            summary: "Record or change an approval and the articles it covers (compliance.write); sales after its expiry are refused",
            tag: "compliance", parameters: [numberParameter],
            requestSchema: strict(
                required: ["holder", "expiresOn"],
                [
                    "holder": text(1...200), "expiresOn": date,
                    "restrictions": orNull(["type": "array", "maxItems": 50, "items": text(1...500)]),
                    "articleIds": orNull(["type": "array", "maxItems": 100, "items": uuid]),
                ]),
            responses: ok("The changed approval", approval).merging(created("The new approval", approval)) { $1 })
    }
}
