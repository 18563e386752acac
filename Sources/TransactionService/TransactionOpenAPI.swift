import ServiceRuntime

/// The transactions service's part of `/openapi.json`: master data, business transactions, the
/// ledger and stock.
///
/// Request schemas mirror the server's own checks (`Check`, the findings in the routes,
/// `TransactionProcessor.draft`, `LedgerPostings`), because the API is fuzzed against them.
enum TransactionOpenAPI: OpenAPISchemas {
    static let periodParameter: JSONValue = [
        "name": "period", "in": "path", "required": true,
        "schema": ["type": "string", "pattern": "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$"],
    ]
    /// Decimals travel as text, never as JSON numbers (`Quantity`, `UnitPrice`).
    static let quantity: JSONValue = ["type": "string", "pattern": "^[0-9]{1,12}(\\.[0-9]{1,3})?$"]
    static let unitPrice: JSONValue = ["type": "string", "pattern": "^[0-9]{1,9}(\\.[0-9]{1,4})?$"]
    static let maximumAmount: JSONValue = .number(Double(LedgerPostings.maximumAmountMinor))
    static let amountMinor: JSONValue = ["type": "integer", "minimum": 1, "maximum": maximumAmount]
    static var taxCode: JSONValue { ["type": "string", "enum": .array(SKR03.taxCodes.map { JSONValue.string($0.code) })] }
    static var currency: JSONValue {
        ["type": "string", "enum": .array(TransactionProcessor.supportedCurrencies.sorted().map(JSONValue.string))]
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
