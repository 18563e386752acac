/// An amount of money in integer minor units (cents) of one currency. Never floating point.
///
/// Encoded as `{"amountMinor": 12345, "currency": "EUR"}`.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public var amountMinor: Int64
    public var currency: CurrencyCode

    public init(amountMinor: Int64, currency: CurrencyCode) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    public static func zero(_ currency: CurrencyCode) -> Money { Money(amountMinor: 0, currency: currency) }

    /// The sum of two amounts in the same currency.
    /// - Throws: `MoneyError.currencyMismatch` or `MoneyError.overflow`.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
        let (sum, overflow) = amountMinor.addingReportingOverflow(other.amountMinor)
        guard !overflow else { throw .overflow }
        return Money(amountMinor: sum, currency: currency)
    }

    /// The opposite amount, e.g. for a reversal (Storno).
    /// - Throws: `MoneyError.overflow` for the one amount without an opposite (`Int64.min`).
    public func negated() throws(MoneyError) -> Money {
        let (opposite, overflow) = Int64(0).subtractingReportingOverflow(amountMinor)
        guard !overflow else { throw .overflow }
        return Money(amountMinor: opposite, currency: currency)
    }

    public var description: String {
        let digits = currency.minorUnitDigits
        guard digits > 0 else { return "\(amountMinor) \(currency)" }
        let divisor = Int64(pow10: digits)
        let sign = amountMinor < 0 ? "-" : ""
        let magnitude = amountMinor.magnitude
        let fraction = String(magnitude % UInt64(divisor))
        let padded = String(repeating: "0", count: digits - fraction.count) + fraction
        return "\(sign)\(magnitude / UInt64(divisor)).\(padded) \(currency)"
    }
}

public enum MoneyError: Error, Equatable, Sendable {
    case currencyMismatch(CurrencyCode, CurrencyCode)
    case overflow
}

extension Int64 {
    init(pow10 exponent: Int) {
        self = (0..<exponent).reduce(1) { result, _ in result * 10 }
    }
}
