import Foundation

/// RFC 3339 timestamps in UTC, the only form the API and the logs use.
public enum RFC3339 {
    private static let withoutFraction = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    public static func string(from date: Date, fractionalSeconds: Bool = false) -> String {
        date.formatted(fractionalSeconds ? withFraction : withoutFraction)
    }

    /// Parses with or without fractional seconds; `nil` when the text is no RFC 3339 timestamp.
    public static func date(from text: String) -> Date? {
        (try? Date(text, strategy: withoutFraction)) ?? (try? Date(text, strategy: withFraction))
    }
}
