extension Sequence<UInt8> {
    /// Lower-case hexadecimal, two digits a byte (digests, fingerprints). `String(format:)` costs
    /// microseconds a byte on Linux; this is a table lookup.
    public var hexString: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
