import Foundation

/// RFC 3339 timestamps in UTC, the only form the API and the logs use.
public enum RFC3339 {
    /// Formatted by hand (the format styles cost microseconds, and documents on the posting path
    /// carry timestamps); fractions are cut to milliseconds, or dropped.
    public static func string(from date: Date, fractionalSeconds: Bool = false) -> String {
        var text = [UInt8]()
        text.reserveCapacity(24)
        append(date, fractionalSeconds: fractionalSeconds, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// The current time with milliseconds: it stamps every log line.
    public static func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return string(from: Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9), fractionalSeconds: true)
    }

    /// Appends the timestamp's UTF-8 text to `text`.
    public static func append(_ date: Date, fractionalSeconds: Bool, to text: inout [UInt8]) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var value = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                value %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); text.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2); text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        if fractionalSeconds {
            text.append(UInt8(ascii: "."))
            digits(min(999, Int((interval - Double(seconds)) * 1000)), 3)
        }
        text.append(UInt8(ascii: "Z"))
    }
}
