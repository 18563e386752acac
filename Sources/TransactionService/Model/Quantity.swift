/// A decimal amount with a fixed number of fractional digits, held as an integer: quantities in
/// thousandths of a unit, unit prices in ten-thousandths of a euro. Written in JSON as a string
/// (`"12.5"`), so no binary floating point ever touches stock or money.
struct FixedDecimal: Hashable, Sendable, Comparable {
    let scaled: Int
    let digits: Int

    static func < (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool { lhs.scaled < rhs.scaled }

    /// Parses `"12"`, `"12.5"`, `"0.125"`: no sign, no exponent, at most `digits` decimals and
    /// `maximumIntegerDigits` before the point. `nil` for anything else.
    init?(_ text: String, digits: Int, maximumIntegerDigits: Int = 12) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= maximumIntegerDigits,
            whole.allSatisfy(\.isASCIIDigit)
        else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard parts.count == 1 || (!fraction.isEmpty && fraction.count <= digits && fraction.allSatisfy(\.isASCIIDigit))
        else { return nil }
        fraction += String(repeating: "0", count: digits - fraction.count)
        guard let value = Int(whole + fraction) else { return nil }
        self.scaled = value
        self.digits = digits
    }

    init(scaled: Int, digits: Int) {
        self.scaled = scaled
        self.digits = digits
    }

    /// The shortest decimal text: `12.5`, `-3`, `0.125`.
    var text: String {
        var divisor = 1
        for _ in 0..<digits { divisor *= 10 }
        let magnitude = scaled.magnitude
        var fraction = String(magnitude % UInt(divisor))
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = scaled < 0 ? "-" : ""
        return sign + String(magnitude / UInt(divisor)) + (fraction.isEmpty ? "" : "." + fraction)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Quantities: thousandths of the base unit (grams of a kg, millilitres of a litre).
enum Quantity {
    static let digits = 3
    static func parse(_ text: String) -> Int? { FixedDecimal(text, digits: digits).map(\.scaled) }
    static func text(_ milli: Int) -> String { FixedDecimal(scaled: milli, digits: digits).text }
}

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
