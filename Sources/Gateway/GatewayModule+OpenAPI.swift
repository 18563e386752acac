import ServiceRuntime

extension GatewayModule {
    /// The routes the gateway process answers itself, including the operator routes every
    /// process has (health and metrics).
    static let ownOpenAPI: OpenAPIFragment = {
        var fragment = OpenAPIFragment()
        fragment.schemas["ServiceInfo"] = [
            "type": "object",
            "required": ["name", "version", "mode", "address", "status", "databases"],
            "properties": [
                "name": ["type": "string"], "version": ["type": "string"],
                "mode": ["type": "string", "enum": ["embedded", "split"]],
                "address": ["type": "string"], "status": ["type": "string", "enum": ["up", "down"]],
                "databases": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["name", "migrationVersion", "platformMigrationVersion"],
                        "properties": [
                            "name": ["type": "string"], "migrationVersion": ["type": "integer"],
                            "platformMigrationVersion": ["type": "integer"],
                        ],
                    ],
                ],
            ],
        ]
        fragment.add(
            "GET", "/api/v1/system/services", id: "listServices", summary: "The ten services, where they run and whether they answer",
            tag: "system",
            responses: ["200": OpenAPIFragment.jsonResponse("The services", schema: [
                "type": "object", "required": ["data", "nextCursor"],
                "properties": ["data": ["type": "array", "items": OpenAPIFragment.ref("ServiceInfo")], "nextCursor": ["type": "null"]],
            ])])
        fragment.add(
            "GET", "/api/v1/system/services/{name}", id: "getService", summary: "One service, asked now", tag: "system",
            parameters: [["name": "name", "in": "path", "required": true, "schema": ["type": "string"]]],
            responses: ["200": OpenAPIFragment.jsonResponse("The service", schema: OpenAPIFragment.ref("ServiceInfo"))])
        fragment.add(
            "GET", "/openapi.json", id: "getOpenAPI", summary: "This document", tag: "system",
            responses: ["200": OpenAPIFragment.jsonResponse("OpenAPI 3.1", schema: ["type": "object"])])
        fragment.add(
            "GET", "/health/live", id: "getLiveness", summary: "The process runs", tag: "operations",
            responses: ["200": OpenAPIFragment.jsonResponse("Alive", schema: ["type": "object"])])
        fragment.add(
            "GET", "/health/ready", id: "getReadiness", summary: "Every dependency answers (503 names those that do not)",
            tag: "operations", responses: ["200": OpenAPIFragment.jsonResponse("Ready", schema: ["type": "object"])])
        fragment.add(
            "GET", "/metrics", id: "getMetrics", summary: "Prometheus metrics", tag: "operations",
            responses: ["200": ["description": "Prometheus text format", "content": ["text/plain": ["schema": ["type": "string"]]]]])
        return fragment
    }()
}
