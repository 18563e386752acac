/// Building blocks of the OpenAPI document that every service describes its API with; a
/// service's description type adopts the protocol and uses them unqualified.
///
/// Request schemas mirror the server's own checks, because the API is fuzzed against them: what
/// a schema allows must be accepted as far as the shape goes, and what it refuses must be refused.
public protocol OpenAPISchemas {}

extension OpenAPISchemas {
    // MARK: Parameters

    public static var idParameter: JSONValue { ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]] }
    public static var pageParameters: [JSONValue] {
        [
            ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 500, "default": 50]],
            ["name": "cursor", "in": "query", "schema": ["type": "string", "minLength": 1, "maxLength": 512]],
        ]
    }
    /// Every POST takes one: a repeat with the same key and body answers what the first answered.
    /// The server takes 1 to 255 ASCII characters; HTTP trims spaces at either end.
    public static var idempotencyKey: JSONValue {
        [
            "name": "Idempotency-Key", "in": "header",
            "schema": ["type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]([\\x09\\x20-\\x7E]*[\\x21-\\x7E])?$"],
        ]
    }

    public static func query(_ name: String, _ schema: JSONValue) -> JSONValue { ["name": .string(name), "in": "query", "schema": schema] }

    // MARK: Values

    public static var uuid: JSONValue { ["type": "string", "format": "uuid"] }
    public static var string: JSONValue { ["type": "string"] }
    public static var integer: JSONValue { ["type": "integer"] }
    public static var boolean: JSONValue { ["type": "boolean"] }
    public static var dateTime: JSONValue { ["type": "string", "format": "date-time"] }
    public static var dateText: JSONValue { ["type": "string", "format": "date"] }
    /// `YYYY-MM-DD` of the years 1900 to 2999, as the services' date checks take it.
    public static var date: JSONValue { ["type": "string", "format": "date", "pattern": "^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"] }
    public static var year: JSONValue { ["type": "integer", "minimum": 1900, "maximum": 2999] }
    /// SKUs, batch numbers, warehouse and location codes.
    public static var code: JSONValue { ["type": "string", "pattern": "^[A-Za-z0-9._/-]{1,64}$"] }

    /// Free text of `length` characters, not blank, no control characters.
    public static func text(_ length: ClosedRange<Int>) -> JSONValue {
        [
            "type": "string", "minLength": .number(Double(length.lowerBound)), "maxLength": .number(Double(length.upperBound)),
            "pattern": "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$",
        ]
    }

    /// A Swift enum's raw values.
    public static func values<Value: RawRepresentable & CaseIterable>(_: Value.Type) -> JSONValue where Value.RawValue == String {
        ["type": "string", "enum": .array(Value.allCases.map { JSONValue.string($0.rawValue) })]
    }

    /// An optional request member: absent or `null` means the default (in a change: as it is).
    public static func orNull(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }

    // MARK: Objects

    /// A request object as `Strict` decodes it: a member it does not know is refused.
    public static func strict(required: [String] = [], _ properties: [String: JSONValue], anyOf: [JSONValue] = []) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "additionalProperties": false, "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        if !anyOf.isEmpty { schema["anyOf"] = .array(anyOf) }
        return .object(schema)
    }

    /// A response object. An optional Swift property is left out of the JSON when nil, so only
    /// the others are `required`.
    public static func object(required: [String], _ properties: [String: JSONValue]) -> JSONValue {
        ["type": "object", "required": .array(required.map(JSONValue.string)), "properties": .object(properties)]
    }

    public static func list(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    /// `Page`: `nextCursor` is always present, `null` on the last page.
    public static func page(of item: JSONValue) -> JSONValue {
        object(required: ["data", "nextCursor"], ["data": list(item), "nextCursor": ["type": ["string", "null"]]])
    }

    public static var invalidParam: JSONValue { object(required: ["name", "reason"], ["name": string, "reason": string]) }

    // MARK: Responses

    /// A GET's answers: its representation, or 304 when `If-None-Match` names the current ETag.
    public static func read(_ description: String, _ schema: JSONValue) -> [String: JSONValue] {
        ["200": OpenAPIFragment.jsonResponse(description, schema: schema), "304": ["description": "Not modified (ETag matched)"]]
    }

    public static func created(_ description: String, _ schema: JSONValue) -> [String: JSONValue] {
        ["201": OpenAPIFragment.jsonResponse(description, schema: schema)]
    }

    public static func ok(_ description: String, _ schema: JSONValue) -> [String: JSONValue] {
        ["200": OpenAPIFragment.jsonResponse(description, schema: schema)]
    }
}
