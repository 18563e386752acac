import Foundation
import Testing
@testable import ERPKernel

@Suite struct MoneyTests {
    @Test func addsInMinorUnits() throws {
        let sum = try Money(amountMinor: 1999, currency: .eur).adding(Money(amountMinor: 1, currency: .eur))
        #expect(sum == Money(amountMinor: 2000, currency: .eur))
    }

    @Test func refusesToAddDifferentCurrencies() {
        let usd = CurrencyCode("USD")!
        #expect(throws: MoneyError.currencyMismatch(.eur, usd)) {
            try Money(amountMinor: 1, currency: .eur).adding(Money(amountMinor: 1, currency: usd))
        }
    }

    @Test func reportsOverflowInsteadOfWrapping() {
        #expect(throws: MoneyError.overflow) {
            try Money(amountMinor: .max, currency: .eur).adding(Money(amountMinor: 1, currency: .eur))
        }
    }

    @Test func negatesForReversalsAndRefusesTheOneAmountWithoutAnOpposite() throws {
        #expect(try Money(amountMinor: 250, currency: .eur).negated() == Money(amountMinor: -250, currency: .eur))
        #expect(throws: MoneyError.overflow) { try Money(amountMinor: .min, currency: .eur).negated() }
    }

    @Test func encodesAsMinorUnitsAndCurrency() throws {
        let json = String(decoding: try JSONEncoder().encode(Money(amountMinor: 12345, currency: .eur)), as: UTF8.self)
        #expect(json.contains(#""amountMinor":12345"#))
        #expect(json.contains(#""currency":"EUR""#))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Money.self, from: Data(#"{"amountMinor":1,"currency":"eur"}"#.utf8))
        }
    }

    @Test func printsWithTheCurrencysDecimals() {
        #expect(Money(amountMinor: 12345, currency: .eur).description == "123.45 EUR")
        #expect(Money(amountMinor: -5, currency: .eur).description == "-0.05 EUR")
        #expect(Money(amountMinor: 500, currency: CurrencyCode("JPY")!).description == "500 JPY")
    }
}
