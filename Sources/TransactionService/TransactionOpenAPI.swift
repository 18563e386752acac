import ServiceRuntime

/// The transactions service's part of `/openapi.json`: master data, business transactions, the
/// ledger and stock.
///
/// Request schemas mirror the server's own checks (`Check`, the findings in the routes,
/// `TransactionProcessor.draft`, `LedgerPostings`), because the API is fuzzed against them: what
/// the schema allows must be accepted as far as the shape goes, and what it refuses must be refused.
enum TransactionOpenAPI {
    // MARK: Parameters

    static let idParameter: JSONValue = ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
    static let periodParameter: JSONValue = [
        "name": "period", "in": "path", "required": true,
        "schema": ["type": "string", "pattern": "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$"],
    ]
    static let pageParameters: [JSONValue] = [
        ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 500, "default": 50]],
        ["name": "cursor", "in": "query", "schema": ["type": "string", "minLength": 1, "maxLength": 512]],
    ]
    /// Every POST takes one: a repeat with the same key and body answers what the first answered.
    /// The server takes 1 to 255 ASCII characters; HTTP trims spaces at either end.
    static let idempotencyKey: JSONValue = [
        "name": "Idempotency-Key", "in": "header",
        "schema": ["type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]([\\x09\\x20-\\x7E]*[\\x21-\\x7E])?$"],
    ]

    static func query(_ name: String, _ schema: JSONValue) -> JSONValue { ["name": .string(name), "in": "query", "schema": schema] }

    // MARK: Values

    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    static let dateText: JSONValue = ["type": "string", "format": "date"]

    /// `YYYY-MM-DD`; `Check.isDate` takes only real dates of the years 1900 to 2999.
    static let date: JSONValue = ["type": "string", "format": "date", "pattern": "^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"]
    static let year: JSONValue = ["type": "integer", "minimum": 1900, "maximum": 2999]
    /// SKUs, batch numbers, warehouse and location codes (`Check.code`).
    static let code: JSONValue = ["type": "string", "pattern": "^[A-Za-z0-9._/-]{1,64}$"]
    /// Decimals travel as text, never as JSON numbers (`Quantity`, `UnitPrice`).
    static let quantity: JSONValue = ["type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,3})?$"]
    static let unitPrice: JSONValue = ["type": "string", "pattern": "^[0-9]{1,9}(\\.[0-9]{1,4})?$"]
    static let maximumAmount: JSONValue = .number(Double(LedgerPostings.maximumAmountMinor))
    static let amountMinor: JSONValue = ["type": "integer", "minimum": 1, "maximum": maximumAmount]
    static var taxCode: JSONValue { ["type": "string", "enum": .array(SKR03.taxCodes.map { JSONValue.string($0.code) })] }
    static var currency: JSONValue {
        ["type": "string", "enum": .array(TransactionProcessor.supportedCurrencies.sorted().map(JSONValue.string))]
    }

    /// Free text as `Check.text` takes it: `length` characters, not blank, no control characters.
    static func text(_ length: ClosedRange<Int>) -> JSONValue {
        [
            "type": "string", "minLength": .number(Double(length.lowerBound)), "maxLength": .number(Double(length.upperBound)),
            "pattern": "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$",
        ]
    }

    /// A Swift enum's raw values.
    static func values<Value: RawRepresentable & CaseIterable>(_: Value.Type) -> JSONValue where Value.RawValue == String {
        ["type": "string", "enum": .array(Value.allCases.map { JSONValue.string($0.rawValue) })]
    }

    /// An optional request member: absent or `null` means the default (in a change: as it is).
    static func orNull(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }

    // MARK: Objects

    /// A request object as `Strict` decodes it: a member it does not know is refused.
    static func strict(required: [String] = [], _ properties: [String: JSONValue], anyOf: [JSONValue] = []) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "additionalProperties": false, "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        if !anyOf.isEmpty { schema["anyOf"] = .array(anyOf) }
        return .object(schema)
    }

    /// A response object. An optional Swift property is left out of the JSON when nil, so only
    /// the others are `required`.
    static func object(required: [String], _ properties: [String: JSONValue]) -> JSONValue {
        ["type": "object", "required": .array(required.map(JSONValue.string)), "properties": .object(properties)]
    }

    static func list(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    /// `Page`: `nextCursor` is always present, `null` on the last page.
    static func page(of item: JSONValue) -> JSONValue {
        object(required: ["data", "nextCursor"], ["data": list(item), "nextCursor": ["type": ["string", "null"]]])
    }

    static let invalidParam = object(required: ["name", "reason"], ["name": string, "reason": string])

    // MARK: Responses

    /// A GET's answers: its representation, or 304 when `If-None-Match` names the current ETag.
    static func read(_ description: String, _ schema: JSONValue) -> [String: JSONValue] {
        ["200": OpenAPIFragment.jsonResponse(description, schema: schema), "304": ["description": "Not modified (ETag matched)"]]
    }

    static func created(_ description: String, _ schema: JSONValue) -> [String: JSONValue] {
        ["201": OpenAPIFragment.jsonResponse(description, schema: schema)]
    }

    static func ok(_ description: String, _ schema: JSONValue) -> [String: JSONValue] {
        ["200": OpenAPIFragment.jsonResponse(description, schema: schema)]
    }

    // MARK: The fragment

    static var fragment: OpenAPIFragment {
        var fragment = OpenAPIFragment()
        addArticlesAndBatches(to: &fragment)
        addPartnersAndWarehouses(to: &fragment)
        addLedgerSetup(to: &fragment)
        addTransactions(to: &fragment)
        addLedger(to: &fragment)
        addStock(to: &fragment)
        return fragment
    }
}
