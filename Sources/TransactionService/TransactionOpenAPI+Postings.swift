import ServiceRuntime

/// Accounts and periods, transactions, the ledger and stock in the OpenAPI fragment.
extension TransactionOpenAPI {
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
