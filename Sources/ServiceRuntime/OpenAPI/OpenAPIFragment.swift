/// The part of the public OpenAPI 3.1 document one service owns: its operations and schemas.
public struct OpenAPIFragment: Sendable, Equatable {
    /// path template (`/api/v1/articles/{id}`) → lower-case method → operation object.
    public var paths: [String: [String: JSONValue]]
    /// component schema name → schema.
    public var schemas: [String: JSONValue]

    public init(paths: [String: [String: JSONValue]] = [:], schemas: [String: JSONValue] = [:]) {
        self.paths = paths
        self.schemas = schemas
    }

    /// Adds one operation; every operation documents the problem+json answer for errors.
    public mutating func add(
        _ method: String, _ path: String, id: String, summary: String, tag: String,
        parameters: [JSONValue] = [], requestSchema: JSONValue? = nil, responses: [String: JSONValue]
    ) {
        var operation: [String: JSONValue] = [
            "operationId": .string(id), "summary": .string(summary), "tags": [.string(tag)],
        ]
        var allResponses = responses
        allResponses["default"] = ["$ref": "#/components/responses/Problem"]
        operation["responses"] = .object(allResponses)
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let requestSchema {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": requestSchema]]]
        }
        paths[path, default: [:]][method.lowercased()] = .object(operation)
    }

    /// Every (METHOD, path) the fragment documents, for the route-vs-document test.
    public var operations: Set<String> {
        Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
    }

    public static func jsonResponse(_ description: String, schema: JSONValue) -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    public static func ref(_ schema: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(schema)")] }
}
