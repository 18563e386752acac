/// Merges the services' fragments into the gateway's `/openapi.json` (OpenAPI 3.1).
public enum OpenAPIDocument {
    public static func merge(_ fragments: [OpenAPIFragment], version: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = ["Problem": problemSchema]
        for fragment in fragments {
            for (path, methods) in fragment.paths {
                var merged: [String: JSONValue] = [:]
                if case .object(let existing) = paths[path] { merged = existing }
                for (method, operation) in methods {
                    precondition(merged[method] == nil, "two services document \(method) \(path)")
                    merged[method] = operation
                }
                paths[path] = .object(merged)
            }
            schemas.merge(fragment.schemas) { first, _ in first }
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "NeuroERP API", "version": .string(version),
                "description": "The public REST API of NeuroERP, an ERP for German agricultural trade.",
            ],
            "paths": .object(paths),
            "components": [
                "schemas": .object(schemas),
                "responses": [
                    "Problem": [
                        "description": "An RFC 9457 problem",
                        "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]],
                    ]
                ],
            ],
        ]
    }

    static let problemSchema: JSONValue = [
        "type": "object",
        "required": ["type", "title", "status", "code", "correlationId", "category", "severity"],
        "properties": [
            "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"],
            "detail": ["type": "string"], "instance": ["type": "string"], "code": ["type": "string"],
            "correlationId": ["type": "string"],
            "category": [
                "type": "string",
                "enum": ["validation", "authentication", "authorization", "not_found", "conflict", "rate_limited", "dependency", "internal"],
            ],
            "severity": ["type": "string", "enum": ["info", "warning", "error", "critical"]],
            "invalidParams": [
                "type": "array",
                "items": ["type": "object", "properties": ["name": ["type": "string"], "reason": ["type": "string"]]],
            ],
        ],
    ]
}
