/// The SKR03 accounts (DATEV standard chart) a Landhandel's postings use, and the tax codes
/// that map to them. Seeded into every tenant on its first use.
enum AccountType: String, Codable, Sendable, CaseIterable {
    case asset, liability, equity, revenue, expense
}

struct Account: Codable, Sendable, Equatable {
    let number: String
    let name: String
    let type: AccountType
}

enum TaxKind: String, Codable, Sendable, CaseIterable {
    case domestic, exempt
    case intraEUSupply = "intra_eu_supply"
    case reverseCharge = "reverse_charge"
}

struct TaxCode: Codable, Sendable, Equatable {
    let code: String
    let name: String
    /// 1900 for 19 %.
    let rateBasisPoints: Int
    let kind: TaxKind
    let revenueAccount: String
    /// Umsatzsteuer: owed on a sale, or on a reverse-charge purchase.
    let outputTaxAccount: String?
    /// Vorsteuer: reclaimable on a purchase.
    let inputTaxAccount: String?

    /// Tax on a net amount in cents, rounded half away from zero.
    func tax(onNet net: Int) -> Int { proportionalShare(of: net, part: rateBasisPoints, whole: 10_000) }
}

enum SKR03 {
    static let name = "SKR03"

    enum Posting {
        static let cash = "1000"
        static let bank = "1200"
        static let receivables = "1400"
        static let payables = "1600"
        static let inventory = "3980"
        static let costOfGoodsSold = "3200"
        static let stockChanges = "3960"
    }

    static let accounts: [Account] = [
        Account(number: "0800", name: "Gezeichnetes Kapital", type: .equity),
        Account(number: "1000", name: "Kasse", type: .asset),
        Account(number: "1200", name: "Bank", type: .asset),
        Account(number: "1400", name: "Forderungen aus Lieferungen und Leistungen", type: .asset),
        Account(number: "1571", name: "Abziehbare Vorsteuer 7 %", type: .asset),
        Account(number: "1576", name: "Abziehbare Vorsteuer 19 %", type: .asset),
        Account(number: "1577", name: "Abziehbare Vorsteuer nach § 13b UStG 19 %", type: .asset),
        Account(number: "1600", name: "Verbindlichkeiten aus Lieferungen und Leistungen", type: .liability),
        Account(number: "1771", name: "Umsatzsteuer 7 %", type: .liability),
        Account(number: "1776", name: "Umsatzsteuer 19 %", type: .liability),
        Account(number: "1787", name: "Umsatzsteuer nach § 13b UStG 19 %", type: .liability),
        Account(number: "3200", name: "Wareneingang (Wareneinsatz)", type: .expense),
        Account(number: "3960", name: "Bestandsveränderungen Waren", type: .expense),
        Account(number: "3980", name: "Bestand Waren", type: .asset),
        Account(number: "4900", name: "Sonstige betriebliche Aufwendungen", type: .expense),
        Account(number: "8100", name: "Steuerfreie Umsätze § 4 Nr. 8 ff. UStG", type: .revenue),
        Account(number: "8125", name: "Steuerfreie innergemeinschaftliche Lieferungen § 4 Nr. 1b UStG", type: .revenue),
        Account(number: "8300", name: "Erlöse 7 % USt", type: .revenue),
        Account(number: "8337", name: "Erlöse aus Leistungen, für die der Leistungsempfänger die Steuer nach § 13b UStG schuldet", type: .revenue),
        Account(number: "8400", name: "Erlöse 19 % USt", type: .revenue),
    ]

    static let taxCodes: [TaxCode] = [
        TaxCode(code: "DE19", name: "Umsatzsteuer 19 %", rateBasisPoints: 1900, kind: .domestic,
                revenueAccount: "8400", outputTaxAccount: "1776", inputTaxAccount: "1576"),
        TaxCode(code: "DE7", name: "Umsatzsteuer 7 % (ermäßigt)", rateBasisPoints: 700, kind: .domestic,
                revenueAccount: "8300", outputTaxAccount: "1771", inputTaxAccount: "1571"),
        TaxCode(code: "DE0", name: "Steuerfrei", rateBasisPoints: 0, kind: .exempt,
                revenueAccount: "8100", outputTaxAccount: nil, inputTaxAccount: nil),
        TaxCode(code: "EU-IGL", name: "Innergemeinschaftliche Lieferung, steuerfrei", rateBasisPoints: 0, kind: .intraEUSupply,
                revenueAccount: "8125", outputTaxAccount: nil, inputTaxAccount: nil),
        TaxCode(code: "RC19", name: "Steuerschuldnerschaft des Leistungsempfängers § 13b UStG 19 %", rateBasisPoints: 1900,
                kind: .reverseCharge, revenueAccount: "8337", outputTaxAccount: "1787", inputTaxAccount: "1577"),
    ]

    static let taxCodesByCode = Dictionary(uniqueKeysWithValues: taxCodes.map { ($0.code, $0) })
    static let accountNumbers = Set(accounts.map(\.number))
}
