import ERPKernel

/// Unit prices: ten-thousandths of a currency unit, so fertiliser at 0.4250 €/kg is exact.
enum UnitPrice {
    static let digits = 4
    static func parse(_ text: String) -> Int? { FixedDecimal(text, digits: digits, maximumIntegerDigits: 9).map(\.scaled) }
    static func text(_ value: Int) -> String { FixedDecimal(scaled: value, digits: digits).text }

    /// quantity × price in cents, rounded half away from zero (kaufmännisch).
    static func lineAmountMinor(quantityMilli: Int, unitPrice: Int) -> Int? {
        let product = Int128(quantityMilli) * Int128(unitPrice)  // scale 10^7
        let divisor: Int128 = 100_000  // to cents (10^2)
        let rounded = (product.magnitude + UInt128(divisor / 2)) / UInt128(divisor)
        guard rounded <= UInt128(Int.max / 2) else { return nil }
        return product < 0 ? -Int(rounded) : Int(rounded)
    }
}

/// Amounts proportional to a quantity (cost of goods sold at the moving average), rounded half
/// away from zero; the last unit out takes the remaining value, so no cent is ever left behind.
func proportionalShare(of total: Int, part: Int, whole: Int) -> Int {
    guard whole != 0 else { return 0 }
    if part == whole { return total }
    let product = Int128(total) * Int128(part)
    let half = Int128(whole.magnitude) / 2
    let rounded = product >= 0 ? (product + half) / Int128(whole) : (product - half) / Int128(whole)
    return Int(rounded)
}
