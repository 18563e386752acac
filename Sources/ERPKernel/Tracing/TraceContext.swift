import Synchronization

/// W3C Trace Context (`traceparent`): which trace a request belongs to and which span sent it.
///
/// Every request gets one: taken from the caller's `traceparent` when valid, otherwise new.
public struct TraceContext: Sendable, Equatable {
    /// 32 lower-case hex digits, never all zero.
    public let traceID: String
    /// 16 lower-case hex digits of this hop's span.
    public let spanID: String
    public let sampled: Bool

    public init(traceID: String, spanID: String, sampled: Bool = true) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// A new trace with a new root span.
    public static func generate() -> TraceContext {
        TraceContext(traceID: randomHex(bytes: 16), spanID: randomHex(bytes: 8))
    }

    /// Parses `00-<trace-id>-<parent-id>-<flags>`; `nil` for anything malformed, per the spec's rules.
    public init?(traceparent header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff",
            parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy(Self.isLowercaseHexDigit) }),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
            let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        if parts[0] == "00" && parts.count != 4 { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]), sampled: flags & 1 == 1)
    }

    /// The same trace with a new span, for a call this hop makes downstream.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.randomHex(bytes: 8), sampled: sampled)
    }

    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    static func randomHex(bytes count: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        repeat {
            text.removeAll(keepingCapacity: true)
            var word: UInt64 = 0
            for index in 0..<count {
                if index % 8 == 0 { word = TraceIDSource.next() }
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8)))
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0F)])
            }
        } while text.allSatisfy { $0 == UInt8(ascii: "0") }
        return String(decoding: text, as: UTF8.self)
    }
}

extension TraceContext {
    /// ASCII `0-9a-f` only: `Character.isHexDigit` would also accept full-width digits.
    fileprivate static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (97...102).contains(byte)
    }
}

/// Random words for trace and span IDs: SplitMix64 over an atomic counter seeded from the
/// system's generator once. IDs must be unpredictable enough not to collide, not secret, and a
/// system call per draw cost each request several of them.
private enum TraceIDSource {
    static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    static func next() -> UInt64 {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
