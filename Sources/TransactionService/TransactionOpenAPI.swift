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

    static func addArticlesAndBatches(to fragment: inout OpenAPIFragment) {
        fragment.schemas["Article"] = object(
            required: ["id", "sku", "name", "category", "baseUnit", "taxCode", "active", "createdAt", "updatedAt", "version"],
            [
                "id": uuid, "sku": string, "name": string, "category": values(ArticleCategory.self), "baseUnit": values(BaseUnit.self),
                "taxCode": string, "psmApprovalNumber": string, "psmApprovalExpiresOn": dateText, "active": boolean,
                "createdAt": dateTime, "updatedAt": dateTime, "version": integer,
            ])
        let approvalNumber = text(1...32)
        let otherCategories = JSONValue.array(ArticleCategory.allCases.filter { $0 != .psm }.map { JSONValue.string($0.rawValue) })
        let newArticle = strict(
            required: ["sku", "name", "category", "baseUnit", "taxCode"],
            [
                "sku": code, "name": text(1...200), "category": values(ArticleCategory.self), "baseUnit": values(BaseUnit.self),
                "taxCode": taxCode, "psmApprovalNumber": orNull(approvalNumber), "psmApprovalExpiresOn": orNull(date),
            ],
            // A crop-protection product (psm) needs its BVL approval; any other article has none.
            anyOf: [
                [
                    "required": ["psmApprovalNumber", "psmApprovalExpiresOn"],
                    "properties": ["category": ["const": "psm"], "psmApprovalNumber": approvalNumber, "psmApprovalExpiresOn": date],
                ],
                [
                    "properties": [
                        "category": ["enum": otherCategories], "psmApprovalNumber": ["type": "null"], "psmApprovalExpiresOn": ["type": "null"],
                    ]
                ],
            ])
        fragment.schemas["ArticleChange"] = strict([
            "name": orNull(text(1...200)), "taxCode": orNull(taxCode), "psmApprovalNumber": orNull(approvalNumber),
            "psmApprovalExpiresOn": orNull(date), "active": orNull(boolean),
        ])
        let article = OpenAPIFragment.ref("Article")
        fragment.add(
            "GET", "/api/v1/articles", id: "listArticles", summary: "The tenant's articles, optionally of one category (masterdata.read)",
            tag: "masterdata", parameters: pageParameters + [query("category", values(ArticleCategory.self))],
            responses: read("A page of articles", page(of: article)))
        fragment.add(
            "POST", "/api/v1/articles", id: "createArticle",
            summary: "Create an article; a crop-protection product (psm) needs its approval number and expiry (masterdata.write)",
            tag: "masterdata", parameters: [idempotencyKey], requestSchema: newArticle, responses: created("The new article", article))
        fragment.add(
            "GET", "/api/v1/articles/{id}", id: "getArticle", summary: "One article (masterdata.read)", tag: "masterdata",
            parameters: [idParameter], responses: read("The article", article))
        fragment.add(
            "PATCH", "/api/v1/articles/{id}", id: "updateArticle",
            summary: "Change an article's name, tax code, PSM approval or active flag (masterdata.write)", tag: "masterdata",
            parameters: [idParameter], requestSchema: OpenAPIFragment.ref("ArticleChange"), responses: ok("The article", article))

        fragment.schemas["Batch"] = object(
            required: ["id", "articleId", "batchNumber", "predecessors", "createdAt"],
            [
                "id": uuid, "articleId": uuid, "batchNumber": string, "supplierBatchRef": string, "producedOn": dateText,
                "expiresOn": dateText, "predecessors": list(uuid), "createdAt": dateTime,
            ])
        let newBatch = strict(
            required: ["articleId", "batchNumber"],
            [
                "articleId": uuid, "batchNumber": code, "supplierBatchRef": orNull(text(1...64)), "producedOn": orNull(date),
                "expiresOn": orNull(date), "predecessors": orNull(["type": "array", "maxItems": 100, "items": uuid]),
            ])
        let batch = OpenAPIFragment.ref("Batch")
        fragment.add(
            "GET", "/api/v1/batches", id: "listBatches", summary: "Batches, optionally of one article (masterdata.read)",
            tag: "masterdata", parameters: pageParameters + [query("articleId", uuid)], responses: read("A page of batches", page(of: batch)))
        fragment.add(
            "POST", "/api/v1/batches", id: "createBatch",
            summary: "Create a batch of an article, naming the batches it was made from (masterdata.write)", tag: "masterdata",
            parameters: [idempotencyKey], requestSchema: newBatch, responses: created("The new batch", batch))
        fragment.add(
            "GET", "/api/v1/batches/{id}", id: "getBatch", summary: "One batch (masterdata.read)", tag: "masterdata",
            parameters: [idParameter], responses: read("The batch", batch))
    }

    static func addPartnersAndWarehouses(to fragment: inout OpenAPIFragment) {
        fragment.schemas["Partner"] = object(
            required: ["id", "name", "roles", "address", "paymentTermsDays", "createdAt", "updatedAt", "version"],
            [
                "id": uuid, "name": string, "roles": list(values(PartnerRole.self)),
                "address": object(
                    required: ["country"], ["street": string, "postalCode": string, "city": string, "country": string]),
                "vatId": string, "paymentTermsDays": integer, "creditLimitMinor": integer,
                "createdAt": dateTime, "updatedAt": dateTime, "version": integer,
            ])
        let address = strict(
            required: ["country"],
            [
                "street": orNull(text(1...200)), "postalCode": orNull(text(1...16)), "city": orNull(text(1...100)),
                "country": ["type": "string", "pattern": "^[A-Z]{2}$"],
            ])
        // No uniqueItems on roles: the server folds repeated roles into one instead of refusing them.
        let newPartner = strict(
            required: ["name", "roles", "address"],
            [
                "name": text(1...200), "roles": ["type": "array", "minItems": 1, "items": values(PartnerRole.self)],
                "address": address, "vatId": orNull(["type": "string", "pattern": "^[A-Z]{2}[A-Za-z0-9]{2,13}$"]),
                "paymentTermsDays": orNull(["type": "integer", "minimum": 0, "maximum": 365]),
                "creditLimitMinor": orNull(["type": "integer", "minimum": 0, "maximum": maximumAmount]),
            ])
        let partner = OpenAPIFragment.ref("Partner")
        fragment.add(
            "GET", "/api/v1/partners", id: "listPartners", summary: "The tenant's customers and suppliers (masterdata.read)",
            tag: "masterdata", parameters: pageParameters, responses: read("A page of partners", page(of: partner)))
        fragment.add(
            "POST", "/api/v1/partners", id: "createPartner", summary: "Create a customer, a supplier or both (masterdata.write)",
            tag: "masterdata", parameters: [idempotencyKey], requestSchema: newPartner, responses: created("The new partner", partner))
        fragment.add(
            "GET", "/api/v1/partners/{id}", id: "getPartner", summary: "One partner (masterdata.read)", tag: "masterdata",
            parameters: [idParameter], responses: read("The partner", partner))

        fragment.schemas["Warehouse"] = object(
            required: ["id", "code", "name", "locations", "createdAt"],
            [
                "id": uuid, "code": string, "name": string, "createdAt": dateTime,
                "locations": list(object(
                    required: ["id", "code", "kind"],
                    ["id": uuid, "code": string, "kind": values(LocationKind.self), "capacity": string])),
            ])
        let location = strict(required: ["code", "kind"], ["code": code, "kind": values(LocationKind.self), "capacity": orNull(quantity)])
        let newWarehouse = strict(
            required: ["code", "name", "locations"],
            ["code": code, "name": text(1...200), "locations": ["type": "array", "minItems": 1, "maxItems": 500, "items": location]])
        let warehouse = OpenAPIFragment.ref("Warehouse")
        fragment.add(
            "GET", "/api/v1/warehouses", id: "listWarehouses", summary: "The tenant's warehouses and their storage locations (masterdata.read)",
            tag: "masterdata", parameters: pageParameters, responses: read("A page of warehouses", page(of: warehouse)))
        fragment.add(
            "POST", "/api/v1/warehouses", id: "createWarehouse",
            summary: "Create a warehouse with its storage locations; location codes must differ (masterdata.write)", tag: "masterdata",
            parameters: [idempotencyKey], requestSchema: newWarehouse, responses: created("The new warehouse", warehouse))
        fragment.add(
            "GET", "/api/v1/warehouses/{id}", id: "getWarehouse", summary: "One warehouse (masterdata.read)", tag: "masterdata",
            parameters: [idParameter], responses: read("The warehouse", warehouse))
    }

    static func addLedgerSetup(to fragment: inout OpenAPIFragment) {
        fragment.schemas["Account"] = object(
            required: ["number", "name", "type"], ["number": string, "name": string, "type": values(AccountType.self)])
        fragment.schemas["TaxCode"] = object(
            required: ["code", "name", "rateBasisPoints", "kind", "revenueAccount"],
            [
                "code": string, "name": string, "rateBasisPoints": integer, "kind": values(TaxKind.self), "revenueAccount": string,
                "outputTaxAccount": string, "inputTaxAccount": string,
            ])
        fragment.schemas["FiscalPeriod"] = object(
            required: ["period", "status", "changedAt"],
            ["period": string, "status": values(FiscalPeriodStatus.self), "changedAt": dateTime])
        let fiscalPeriod = OpenAPIFragment.ref("FiscalPeriod")
        fragment.add(
            "GET", "/api/v1/accounts", id: "listAccounts", summary: "The tenant's SKR03 chart of accounts, in one page (ledger.read)",
            tag: "ledger", responses: read("The accounts", page(of: OpenAPIFragment.ref("Account"))))
        fragment.add(
            "GET", "/api/v1/tax-codes", id: "listTaxCodes", summary: "The tax codes and the accounts they post to, in one page (ledger.read)",
            tag: "ledger", responses: read("The tax codes", page(of: OpenAPIFragment.ref("TaxCode"))))
        fragment.add(
            "GET", "/api/v1/fiscal-periods", id: "listFiscalPeriods",
            summary: "The fiscal periods and their status, optionally of one year, in one page (ledger.read)", tag: "ledger",
            parameters: [query("year", year)], responses: read("The periods", page(of: fiscalPeriod)))
        fragment.add(
            "PATCH", "/api/v1/fiscal-periods/{period}", id: "updateFiscalPeriod",
            summary: "Close, lock or reopen a period (YYYY-MM): open → closed → locked, closed may reopen, locked stays (ledger.write)",
            tag: "ledger", parameters: [periodParameter],
            requestSchema: strict(required: ["status"], ["status": values(FiscalPeriodStatus.self)]),
            responses: ok("The period", fiscalPeriod))
    }

    static func addTransactions(to fragment: inout OpenAPIFragment) {
        fragment.schemas["BusinessTransaction"] = object(
            required: ["id", "kind", "status", "date", "currency", "items", "totals", "createdBy", "createdAt"],
            [
                "id": uuid, "kind": values(TransactionKind.self), "status": values(TransactionStatus.self), "partnerId": uuid,
                "date": dateText, "reference": string, "currency": string,
                "items": list(object(
                    required: ["articleId", "batchId", "locationId", "quantity"],
                    [
                        "articleId": uuid, "batchId": uuid, "locationId": uuid, "toLocationId": uuid, "quantity": string,
                        "unit": values(BaseUnit.self), "unitPrice": string, "taxCode": string, "role": values(ProductionRole.self),
                    ])),
                "totals": object(
                    required: ["netMinor", "taxMinor", "grossMinor"], ["netMinor": integer, "taxMinor": integer, "grossMinor": integer]),
                "journalEntryId": uuid, "reversesId": uuid, "reversedById": uuid, "rejections": list(invalidParam),
                "createdBy": uuid, "createdAt": dateTime, "postedAt": dateTime,
            ])
        fragment.schemas["NewTransaction"] = newTransaction(validated: true)
        fragment.schemas["NewBulkTransaction"] = newTransaction(validated: false)
        let bulkResult = object(
            required: ["index", "status"],
            [
                "index": integer, "status": integer, "transaction": OpenAPIFragment.ref("BusinessTransaction"),
                "problem": object(required: ["code"], ["code": string, "detail": string, "invalidParams": list(invalidParam)]),
            ])
        fragment.schemas["BulkResponse"] = object(
            required: ["accepted", "rejected", "results"], ["accepted": integer, "rejected": integer, "results": list(bulkResult)])
        let bulkRequest = strict(
            required: ["transactions"],
            [
                "transactions": [
                    "type": "array", "minItems": 1, "maxItems": .number(Double(TransactionServiceModule.maximumBulkSize)),
                    "items": OpenAPIFragment.ref("NewBulkTransaction"),
                ]
            ])
        let transaction = OpenAPIFragment.ref("BusinessTransaction")
        let filters = [
            query("status", values(TransactionStatus.self)), query("kind", values(TransactionKind.self)),
            query("partnerId", uuid), query("articleId", uuid), query("from", date), query("to", date),
        ]
        fragment.add(
            "GET", "/api/v1/transactions", id: "listTransactions",
            summary: "Business transactions, filtered by status, kind, partner, article or date range (transactions.read)",
            tag: "transactions", parameters: pageParameters + filters, responses: read("A page of transactions", page(of: transaction)))
        fragment.add(
            "POST", "/api/v1/transactions", id: "createTransaction",
            summary: "Create a business transaction and post it, or keep it as a draft with post: false (transactions.write)",
            tag: "transactions", parameters: [idempotencyKey], requestSchema: OpenAPIFragment.ref("NewTransaction"),
            responses: created("The posted transaction, or the draft", transaction))
        fragment.add(
            "POST", "/api/v1/transactions/bulk", id: "createTransactionsInBulk",
            summary: "Create up to 1,000 transactions, each accepted or rejected on its own (transactions.write)",
            tag: "transactions", parameters: [idempotencyKey], requestSchema: bulkRequest,
            responses: ok("Each transaction's outcome, in request order", OpenAPIFragment.ref("BulkResponse")))
        fragment.add(
            "GET", "/api/v1/transactions/{id}", id: "getTransaction", summary: "One business transaction (transactions.read)",
            tag: "transactions", parameters: [idParameter], responses: read("The transaction", transaction))
        fragment.add(
            "POST", "/api/v1/transactions/{id}/post", id: "postTransaction", summary: "Post a draft (transactions.write)",
            tag: "transactions", parameters: [idParameter, idempotencyKey], responses: ok("The posted transaction", transaction))
        fragment.add(
            "POST", "/api/v1/transactions/{id}/reverse", id: "reverseTransaction",
            summary: "Reverse a posted transaction with its mirror (Storno), dated today unless given (transactions.write)",
            tag: "transactions", parameters: [idParameter, idempotencyKey],
            requestSchema: strict(["date": orNull(date), "reason": orNull(text(1...500))]),
            responses: created("The Storno transaction", transaction))
    }

    /// A new transaction as POST /api/v1/transactions checks it (`TransactionProcessor.draft`),
    /// or, with `validated: false`, only its shape: a bulk request is refused as a whole only when
    /// it cannot be decoded, while any other finding rejects just that item inside the 200 answer.
    static func newTransaction(validated: Bool) -> JSONValue {
        let item = strict(
            required: ["articleId", "batchId", "locationId", "quantity"],
            [
                "articleId": uuid, "batchId": uuid, "locationId": uuid, "toLocationId": orNull(uuid),
                "quantity": validated ? quantity : string, "unit": orNull(values(BaseUnit.self)),
                "unitPrice": orNull(validated ? unitPrice : string), "taxCode": orNull(validated ? taxCode : string),
                "role": orNull(values(ProductionRole.self)),
            ])
        let items: JSONValue = validated
            ? ["type": "array", "minItems": 1, "maxItems": .number(Double(TransactionProcessor.maximumItems)), "items": item]
            : list(item)
        let properties: [String: JSONValue] = [
            "kind": values(TransactionKind.self), "partnerId": orNull(uuid), "date": validated ? date : string,
            "reference": orNull(validated ? text(1...100) : string), "currency": orNull(validated ? currency : string),
            "items": items, "post": orNull(boolean),
        ]
        guard validated else { return strict(required: ["kind", "date", "items"], properties) }
        return strict(
            required: ["kind", "date", "items"], properties,
            // Only a production's items have a role.
            anyOf: [
                ["properties": ["kind": ["const": .string(TransactionKind.production.rawValue)]]],
                ["properties": ["items": ["items": ["properties": ["role": ["type": "null"]]]]]],
            ])
    }

    static func addLedger(to fragment: inout OpenAPIFragment) {
        let journalLine = object(
            required: ["account", "debitMinor", "creditMinor"],
            ["account": string, "debitMinor": integer, "creditMinor": integer, "taxCode": string, "partnerId": uuid])
        fragment.schemas["JournalEntry"] = object(
            required: ["id", "fiscalYear", "number", "date", "description", "source", "lines", "createdBy", "createdAt"],
            [
                "id": uuid, "fiscalYear": integer, "number": integer, "date": dateText, "description": string,
                "source": ["type": "string", "enum": ["transaction", "payment", "manual", "reversal"]],
                "transactionId": uuid, "reversesId": uuid, "lines": list(journalLine), "createdBy": uuid, "createdAt": dateTime,
            ])
        let side: JSONValue = orNull(["type": "integer", "minimum": 0, "maximum": maximumAmount])
        let account: JSONValue = ["type": "string", "enum": .array(SKR03.accounts.map { JSONValue.string($0.number) })]
        let manualLine = strict(
            required: ["account"], ["account": account, "debitMinor": side, "creditMinor": side, "taxCode": orNull(taxCode)],
            // Each line is a debit or a credit, never both or neither.
            anyOf: [oneSided("debitMinor", other: "creditMinor"), oneSided("creditMinor", other: "debitMinor")])
        let newJournalEntry = strict(
            required: ["date", "description", "lines"],
            ["date": date, "description": text(1...500), "lines": ["type": "array", "minItems": 2, "maxItems": 200, "items": manualLine]])
        let entry = OpenAPIFragment.ref("JournalEntry")
        fragment.add(
            "GET", "/api/v1/journal-entries", id: "listJournalEntries",
            summary: "Journal entries, filtered by fiscal year or date range (ledger.read)", tag: "ledger",
            parameters: pageParameters + [query("fiscalYear", year), query("from", date), query("to", date)],
            responses: read("A page of journal entries", page(of: entry)))
        fragment.add(
            "POST", "/api/v1/journal-entries", id: "createJournalEntry",
            summary: "Book a balanced manual journal entry in an open period (ledger.write)", tag: "ledger",
            parameters: [idempotencyKey], requestSchema: newJournalEntry, responses: created("The journal entry", entry))
        fragment.add(
            "GET", "/api/v1/journal-entries/{id}", id: "getJournalEntry", summary: "One journal entry (ledger.read)", tag: "ledger",
            parameters: [idParameter], responses: read("The journal entry", entry))

        fragment.schemas["TrialBalance"] = object(
            required: ["fiscalYear", "accounts", "totalDebitMinor", "totalCreditMinor"],
            [
                "fiscalYear": integer, "totalDebitMinor": integer, "totalCreditMinor": integer,
                "accounts": list(object(
                    required: ["account", "name", "type", "debitMinor", "creditMinor", "balanceMinor"],
                    [
                        "account": string, "name": string, "type": string, "debitMinor": integer, "creditMinor": integer,
                        "balanceMinor": integer,
                    ])),
            ])
        fragment.add(
            "GET", "/api/v1/ledger/trial-balance", id: "getTrialBalance",
            summary: "Debits, credits and balance per account for a fiscal year, by default the current one (ledger.read)",
            tag: "ledger", parameters: [query("fiscalYear", year)], responses: read("The trial balance", OpenAPIFragment.ref("TrialBalance")))

        fragment.schemas["OpenItem"] = object(
            required: [
                "id", "partnerId", "kind", "transactionId", "documentDate", "dueDate", "currency", "amountMinor", "paidMinor", "openMinor",
            ],
            [
                "id": uuid, "partnerId": uuid, "kind": values(OpenItemKind.self), "transactionId": uuid, "documentDate": dateText,
                "dueDate": dateText, "currency": string, "amountMinor": integer, "paidMinor": integer, "openMinor": integer,
            ])
        fragment.add(
            "GET", "/api/v1/open-items", id: "listOpenItems",
            summary: "Receivables and payables, only the open ones unless status=all (ledger.read)", tag: "ledger",
            parameters: pageParameters + [
                query("partnerId", uuid), query("kind", values(OpenItemKind.self)),
                query("status", values(TransactionServiceModule.OpenItemFilter.self)),
            ],
            responses: read("A page of open items", page(of: OpenAPIFragment.ref("OpenItem"))))

        fragment.schemas["Payment"] = object(
            required: [
                "id", "partnerId", "direction", "date", "amountMinor", "currency", "account", "allocations", "journalEntryId",
                "createdBy", "createdAt",
            ],
            [
                "id": uuid, "partnerId": uuid, "direction": values(PaymentDirection.self), "date": dateText, "amountMinor": integer,
                "currency": string, "account": string, "reference": string,
                "allocations": list(object(required: ["openItemId", "amountMinor"], ["openItemId": uuid, "amountMinor": integer])),
                "journalEntryId": uuid, "createdBy": uuid, "createdAt": dateTime,
            ])
        let allocation = strict(required: ["openItemId", "amountMinor"], ["openItemId": uuid, "amountMinor": amountMinor])
        let moneyAccounts = JSONValue.array(LedgerPostings.moneyAccounts.sorted().map(JSONValue.string))
        let newPayment = strict(
            required: ["partnerId", "direction", "date", "amountMinor"],
            [
                "partnerId": uuid, "direction": values(PaymentDirection.self), "date": date, "amountMinor": amountMinor,
                "currency": orNull(currency), "account": orNull(["type": "string", "enum": moneyAccounts]),
                "reference": orNull(text(1...100)), "allocations": orNull(["type": "array", "minItems": 1, "items": allocation]),
            ])
        let payment = OpenAPIFragment.ref("Payment")
        fragment.add(
            "GET", "/api/v1/payments", id: "listPayments", summary: "Payments, optionally of one partner (ledger.read)", tag: "ledger",
            parameters: pageParameters + [query("partnerId", uuid)], responses: read("A page of payments", page(of: payment)))
        fragment.add(
            "POST", "/api/v1/payments", id: "createPayment",
            summary: "Record a payment to bank (1200) or cash (1000) and clear open items with it, by default the oldest due first (ledger.write)",
            tag: "ledger", parameters: [idempotencyKey], requestSchema: newPayment, responses: created("The payment", payment))
    }

    /// A manual line whose `side` is set (greater than 0) and whose `other` side is absent, null or 0.
    static func oneSided(_ side: String, other: String) -> JSONValue {
        ["required": [.string(side)], "properties": [side: ["type": "integer", "minimum": 1], other: ["enum": [0, .null]]]]
    }

    static func addStock(to fragment: inout OpenAPIFragment) {
        fragment.schemas["StockLevel"] = object(
            required: ["articleId", "batchId", "locationId", "quantity"],
            ["articleId": uuid, "batchId": uuid, "locationId": uuid, "quantity": string])
        fragment.schemas["StockValue"] = object(
            required: ["articleId", "quantity", "valueMinor"],
            ["articleId": uuid, "quantity": string, "valueMinor": integer, "averageUnitCost": string])
        fragment.add(
            "GET", "/api/v1/stock", id: "listStockLevels",
            summary: "On-hand quantities per article, batch and location, in one page (stock.read)", tag: "stock",
            parameters: [query("articleId", uuid), query("batchId", uuid), query("locationId", uuid)],
            responses: read("The stock levels", page(of: OpenAPIFragment.ref("StockLevel"))))
        fragment.add(
            "GET", "/api/v1/stock/valuation", id: "getStockValuation",
            summary: "Quantity and value at moving-average cost per article, in one page (stock.read)", tag: "stock",
            responses: read("The stock values", page(of: OpenAPIFragment.ref("StockValue"))))
    }
}
