import ServiceRuntime

/// The compliance service's part of `/openapi.json`: batch quality status and the PSM register.
enum ComplianceOpenAPI: OpenAPISchemas {
    static let approvalNumber: JSONValue = ["type": "string", "pattern": "^[A-Za-z0-9-]{1,32}$"]
    static let numberParameter: JSONValue = ["name": "number", "in": "path", "required": true, "schema": approvalNumber]

    /// A minimum, a maximum or both, each a decimal (not `null`).
    static func bounded(_ decimal: JSONValue) -> [JSONValue] {
        [["required": ["minimum"], "properties": ["minimum": decimal]], ["required": ["maximum"], "properties": ["maximum": decimal]]]
    }

    static var fragment: OpenAPIFragment {
        var fragment = OpenAPIFragment()
        addBatches(to: &fragment)
        addRegister(to: &fragment)
        addChecks(to: &fragment)
        addMonitoring(to: &fragment)
        addTrace(to: &fragment)
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

    static func addChecks(to fragment: inout OpenAPIFragment) {
        let checkType = values(CheckType.self)
        let typeParameter: JSONValue = ["name": "checkType", "in": "path", "required": true, "schema": checkType]
        let decimal: JSONValue = ["type": "string", "pattern": "^-?[0-9]{1,9}(\\.[0-9]{1,6})?$"]
        let key: JSONValue = ["type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"]
        fragment.schemas["Rule"] = object(
            required: ["key", "label", "kind", "severity"],
            [
                "key": key, "label": string, "kind": values(RuleKind.self), "severity": values(RuleSeverity.self), "unit": string,
                "minimum": decimal, "maximum": decimal, "requiredFields": list(string),
            ])
        fragment.schemas["RuleSet"] = object(
            required: ["checkType", "version", "name", "rules", "createdAt"],
            [
                "checkType": checkType, "version": integer, "name": string, "rules": list(OpenAPIFragment.ref("Rule")), "createdBy": uuid,
                "createdAt": dateTime,
            ])
        let ruleSet = OpenAPIFragment.ref("RuleSet")
        // A measurement has a bound and a unit, a document its required fields; a contradiction
        // (a key twice, a minimum above the maximum) is a 422 the schema cannot state.
        let fieldNames: JSONValue = ["type": "array", "maxItems": 20, "items": ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$"]]
        let null: JSONValue = ["type": "null"]
        let measurementRule = strict(
            required: ["key", "label", "kind", "severity"],
            [
                "key": key, "label": text(1...200), "kind": ["const": "measurement"], "severity": values(RuleSeverity.self),
                "unit": orNull(text(1...16)), "minimum": orNull(decimal), "maximum": orNull(decimal), "requiredFields": null,
            ],
            anyOf: bounded(decimal))
        let documentRule = strict(
            required: ["key", "label", "kind", "severity"],
            [
                "key": key, "label": text(1...200), "kind": ["const": "document"], "severity": values(RuleSeverity.self),
                "unit": null, "minimum": null, "maximum": null, "requiredFields": orNull(fieldNames),
            ])
        let rule: JSONValue = ["oneOf": [measurementRule, documentRule]]
        fragment.add(
            "GET", "/api/v1/compliance/rule-sets", id: "listRuleSets", summary: "The current rule set of each check type (compliance.read)",
            tag: "compliance", responses: read("The rule sets", page(of: ruleSet)))
        fragment.add(
            "GET", "/api/v1/compliance/rule-sets/{checkType}", id: "getRuleSet",
            summary: "The current rule set of a check type, or an earlier `version` (compliance.read)", tag: "compliance",
            parameters: [typeParameter, query("version", ["type": "integer", "minimum": 1, "maximum": 2_147_483_647])], responses: read("The rule set", ruleSet))
        fragment.add(
            "PUT", "/api/v1/compliance/rule-sets/{checkType}", id: "putRuleSet",
            summary: "Store the rules as the next version (compliance.write); earlier results keep their version", tag: "compliance",
            parameters: [typeParameter],
            requestSchema: strict(required: ["name", "rules"], ["name": text(1...200), "rules": ["type": "array", "minItems": 1, "maxItems": 100, "items": rule]]),
            responses: created("The new version", ruleSet))

        let result = object(
            required: ["key", "label", "severity", "outcome", "expected"],
            [
                "key": string, "label": string, "severity": values(RuleSeverity.self), "outcome": ["type": "string", "enum": ["passed", "failed", "missing"]],
                "value": string, "expected": string,
            ])
        fragment.schemas["BatchCheck"] = object(
            required: ["id", "batchId", "checkType", "ruleSetVersion", "outcome", "results", "responsiblePerson", "checkedBy", "checkedAt", "contentHash"],
            [
                "id": uuid, "batchId": uuid, "checkType": checkType, "ruleSetVersion": integer,
                "outcome": ["type": "string", "enum": ["COMPLIANT", "PARTIALLY_COMPLIANT", "NON_COMPLIANT"]], "results": list(result),
                "responsiblePerson": string, "checkedBy": uuid, "checkedAt": dateTime, "contentHash": ["type": "string", "pattern": "^[0-9a-f]{64}$"],
            ])
        let check = OpenAPIFragment.ref("BatchCheck")
        fragment.add(
            "POST", "/api/v1/compliance/batches/{id}/checks", id: "checkBatch",
            summary: "Judge a batch against the current rule set of a check type (compliance.write); optionally set its status from the outcome",
            tag: "compliance", parameters: [idParameter, idempotencyKey],
            requestSchema: strict(
                required: ["checkType", "responsiblePerson"],
                [
                    "checkType": checkType, "responsiblePerson": text(1...200),
                    "measurements": orNull(["type": "object", "maxProperties": 200, "additionalProperties": decimal]),
                    "documents": orNull([
                        "type": "object", "maxProperties": 200,
                        "additionalProperties": ["type": "object", "maxProperties": 50, "additionalProperties": ["type": "string", "maxLength": 2000, "pattern": "^[^\\x00-\\x1F\\x7F-\\x9F]*$"]],
                    ]),
                    "applyStatus": orNull(boolean),
                ]),
            responses: created("The signed result", check))
        fragment.add(
            "GET", "/api/v1/compliance/batches/{id}/checks", id: "listBatchChecks", summary: "A batch's check results, oldest first (compliance.read)",
            tag: "compliance", parameters: [idParameter] + pageParameters, responses: read("The results", page(of: check)))
        fragment.add(
            "GET", "/api/v1/compliance/checks/{id}", id: "getBatchCheck", summary: "One check result (compliance.read)",
            tag: "compliance", parameters: [idParameter], responses: read("The result", check))
    }

    static func addMonitoring(to fragment: inout OpenAPIFragment) {
        let decimal: JSONValue = ["type": "string", "pattern": "^-?[0-9]{1,9}(\\.[0-9]{1,6})?$"]
        let key: JSONValue = ["type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"]
        let target = object(required: ["kind", "id"], ["kind": values(MonitorTarget.Kind.self), "id": uuid])
        let threshold = object(
            required: ["property", "severity"],
            ["property": key, "unit": string, "minimum": decimal, "maximum": decimal, "severity": values(AlertSeverity.self)])
        fragment.schemas["Monitor"] = object(
            required: ["id", "target", "thresholds", "active", "startedBy", "startedAt"],
            [
                "id": uuid, "target": target, "thresholds": list(threshold), "active": boolean, "startedBy": uuid, "startedAt": dateTime,
                "stoppedBy": uuid, "stoppedAt": dateTime,
            ])
        fragment.schemas["Alert"] = object(
            required: ["id", "monitorId", "target", "property", "severity", "status", "threshold", "breaches", "lastValue", "lastMeasuredAt", "openedAt", "version"],
            [
                "id": uuid, "monitorId": uuid, "target": target, "property": string, "severity": values(AlertSeverity.self),
                "status": values(AlertStatus.self), "threshold": threshold, "breaches": integer, "lastValue": string, "lastMeasuredAt": dateTime,
                "openedAt": dateTime, "acknowledgedBy": uuid, "acknowledgedAt": dateTime, "resolvedBy": uuid, "resolvedAt": dateTime,
                "note": string, "version": integer,
            ])
        let monitor = OpenAPIFragment.ref("Monitor")
        let alert = OpenAPIFragment.ref("Alert")
        let thresholdInput = strict(
            required: ["property", "severity"],
            [
                "property": key, "unit": orNull(text(1...16)), "minimum": orNull(decimal), "maximum": orNull(decimal),
                "severity": values(AlertSeverity.self),
            ],
            anyOf: bounded(decimal))
        fragment.add(
            "POST", "/api/v1/compliance/monitors", id: "startMonitor",
            summary: "Start monitoring a batch or a storage location (compliance.write); without thresholds, the rule set's measurement bounds",
            tag: "compliance", parameters: [idempotencyKey],
            requestSchema: strict(
                required: ["target"],
                [
                    "target": strict(required: ["kind", "id"], ["kind": values(MonitorTarget.Kind.self), "id": uuid]),
                    "thresholds": orNull(["type": "array", "minItems": 1, "maxItems": 50, "items": thresholdInput]),
                    "checkType": orNull(values(CheckType.self)),
                ]),
            responses: created("The monitor", monitor))
        fragment.add(
            "GET", "/api/v1/compliance/monitors", id: "listMonitors", summary: "Monitors, optionally only the active ones (compliance.read)",
            tag: "compliance", parameters: pageParameters + [query("active", ["type": "string", "enum": ["true", "false"]])],
            responses: read("A page of monitors", page(of: monitor)))
        fragment.add(
            "GET", "/api/v1/compliance/monitors/{id}", id: "getMonitor", summary: "One monitor (compliance.read)", tag: "compliance",
            parameters: [idParameter], responses: read("The monitor", monitor))
        fragment.add(
            "POST", "/api/v1/compliance/monitors/{id}/stop", id: "stopMonitor", summary: "Stop monitoring (compliance.write)", tag: "compliance",
            parameters: [idParameter, idempotencyKey], responses: ok("The stopped monitor", monitor))
        // Rows are checked one by one (each refused row is reported with its problems), so the
        // schema only bounds the upload.
        fragment.add(
            "POST", "/api/v1/compliance/monitors/{id}/measurements", id: "recordMeasurements",
            summary: "Upload 1 to 10,000 measurements (compliance.write): valid rows are stored, breaches open alerts", tag: "compliance",
            parameters: [idParameter, idempotencyKey],
            requestSchema: [
                "type": "object", "required": ["measurements"],
                "properties": ["measurements": ["type": "array", "minItems": 1, "maxItems": 10000, "items": [:]]],
            ],
            responses: ok(
                "What was stored and refused",
                object(
                    required: ["accepted", "rejected", "alerts"],
                    [
                        "accepted": integer,
                        "rejected": list(object(required: ["index", "invalidParams"], ["index": integer, "invalidParams": list(invalidParam)])),
                        "alerts": list(alert),
                    ])))
        fragment.add(
            "GET", "/api/v1/compliance/monitors/{id}/measurements", id: "listMeasurements",
            summary: "A monitor's stored measurements in time order, optionally of one property (compliance.read)", tag: "compliance",
            parameters: [idParameter] + pageParameters + [query("property", key)],
            responses: read(
                "A page of measurements",
                page(of: object(required: ["property", "value", "measuredAt"], ["property": string, "value": string, "measuredAt": dateTime]))))
        fragment.add(
            "GET", "/api/v1/compliance/alerts", id: "listAlerts", summary: "Alerts, optionally by status (compliance.read)", tag: "compliance",
            parameters: pageParameters + [query("status", values(AlertStatus.self))], responses: read("A page of alerts", page(of: alert)))
        fragment.add(
            "GET", "/api/v1/compliance/alerts/{id}", id: "getAlert", summary: "One alert (compliance.read)", tag: "compliance",
            parameters: [idParameter], responses: read("The alert", alert))
        let note = strict(["note": orNull(text(1...2000))])
        fragment.add(
            "POST", "/api/v1/compliance/alerts/{id}/acknowledge", id: "acknowledgeAlert", summary: "Acknowledge an open alert (compliance.write)",
            tag: "compliance", parameters: [idParameter, idempotencyKey], requestSchema: note, responses: ok("The alert", alert))
        fragment.add(
            "POST", "/api/v1/compliance/alerts/{id}/resolve", id: "resolveAlert",
            summary: "Resolve an alert, saying how (compliance.write)", tag: "compliance", parameters: [idParameter, idempotencyKey],
            requestSchema: strict(required: ["note"], ["note": text(1...2000)]), responses: ok("The alert", alert))
    }

    static func addTrace(to fragment: inout OpenAPIFragment) {
        let tracedBatch = object(
            required: ["batchId", "generation"], ["batchId": uuid, "batchNumber": string, "articleId": uuid, "generation": integer])
        let movement = object(
            required: ["transactionId", "kind", "date", "batchId", "articleId", "quantity"],
            [
                "transactionId": uuid, "kind": string, "date": dateText, "partnerId": uuid, "partnerName": string, "partnerCity": string,
                "batchId": uuid, "batchNumber": string, "articleId": uuid, "articleName": string, "quantity": string, "unit": string,
            ])
        fragment.add(
            "GET", "/api/v1/compliance/batches/{id}/trace", id: "traceBatch",
            summary: "Forward (to customers) or backward (to suppliers) trace through predecessor batches, production and transactions (compliance.read)",
            tag: "compliance", parameters: [idParameter, query("direction", values(TraceDirection.self))],
            responses: read(
                "The trace",
                object(
                    required: ["batchId", "direction", "batches", "movements", "complete"],
                    [
                        "batchId": uuid, "direction": values(TraceDirection.self), "batches": list(tracedBatch), "movements": list(movement),
                        "complete": boolean,
                    ])))
        let report = object(
            required: ["batchId", "generatedAt", "batches", "customers", "complete"],
            [
                "batchId": uuid, "batchNumber": string, "generatedAt": dateTime, "batches": list(tracedBatch), "complete": boolean,
                "customers": list(object(
                    required: ["deliveries"], ["partnerId": uuid, "name": string, "city": string, "deliveries": list(movement)])),
            ])
        fragment.add(
            "GET", "/api/v1/compliance/batches/{id}/recall-report", id: "recallReport",
            summary: "Every customer, delivery and quantity a batch reached, directly or through batches made from it; JSON or CSV (compliance.read)",
            tag: "compliance", parameters: [idParameter, query("format", ["type": "string", "enum": ["json", "csv"]])],
            responses: [
                "200": [
                    "description": "The recall report",
                    "content": ["application/json": ["schema": report], "text/csv": ["schema": ["type": "string"]]],
                ],
            ])
    }
}
