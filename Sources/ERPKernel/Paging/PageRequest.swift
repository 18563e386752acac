/// `limit` and `cursor` of a list request, validated: limit 1…500, default 50.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500

    public let limit: Int
    /// Opaque position after the last item of the previous page, `nil` for the first page.
    public let cursor: String?

    public init(limit: Int = PageRequest.defaultLimit, cursor: String? = nil) {
        precondition((1...Self.maximumLimit).contains(limit), "validate through parse(limit:cursor:)")
        self.limit = limit
        self.cursor = cursor
    }

    /// Validates raw query values.
    /// - Throws: a `validation` `Problem` naming `limit` or `cursor`.
    public static func parse(limit: String?, cursor: String?) throws(Problem) -> PageRequest {
        var parsedLimit = defaultLimit
        if let limit {
            guard let value = Int(limit), (1...maximumLimit).contains(value) else {
                throw .validation(
                    "limit must be a whole number from 1 to \(maximumLimit).",
                    invalidParams: [InvalidParam(name: "limit", reason: "expected 1…\(maximumLimit), got \(limit)")])
            }
            parsedLimit = value
        }
        if let cursor, cursor.isEmpty || cursor.utf8.count > 512 {
            throw .validation(
                "cursor must be a value from a previous page's nextCursor.",
                invalidParams: [InvalidParam(name: "cursor", reason: "empty or too long")])
        }
        return PageRequest(limit: parsedLimit, cursor: cursor)
    }
}

/// A page of a list: `{"data": [...], "nextCursor": "…" | null}`.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    public let data: [Item]
    public let nextCursor: String?

    public init(data: [Item], nextCursor: String?) {
        self.data = data
        self.nextCursor = nextCursor
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)  // explicit null, never omitted
    }

    private enum CodingKeys: String, CodingKey { case data, nextCursor }
}
