/// A decimal amount with a fixed number of fractional digits, held as an integer: quantities in
/// thousandths of a unit, unit prices in ten-thousandths of a euro. Written in JSON as a string
/// (`"12.5"`), so no binary floating point ever touches stock or money.
public struct FixedDecimal: Hashable, Sendable, Comparable {
    public let scaled: Int
    public let digits: Int

    public static func < (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool { lhs.scaled < rhs.scaled }

    /// Parses `"12"`, `"12.5"`, `"0.125"`: no sign, no exponent, at most `digits` decimals and
    /// `maximumIntegerDigits` before the point. `nil` for anything else.
    public init?(_ text: String, digits: Int, maximumIntegerDigits: Int = 12) {
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

    public init(scaled: Int, digits: Int) {
        self.scaled = scaled
        self.digits = digits
    }

    /// The shortest decimal text: `12.5`, `-3`, `0.125`.
    public var text: String {
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
    public var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Quantities: thousandths of the base unit (grams of a kg, millilitres of a litre).
public enum Quantity {
    public static let digits = 3
    public static func parse(_ text: String) -> Int? { FixedDecimal(text, digits: digits).map(\.scaled) }
    /// Also takes a leading minus, as movements carry their direction in the sign.
    public static func parse(signed text: String) -> Int? {
        text.hasPrefix("-") ? parse(String(text.dropFirst())).map { -$0 } : parse(text)
    }
    public static func text(_ milli: Int) -> String { FixedDecimal(scaled: milli, digits: digits).text }
}
