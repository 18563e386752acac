import NIOCore
@testable import Platform
import Testing

private func bulk(_ text: String) -> RESPValue { .bulkString(ByteBuffer(string: text)) }

/// One value of every type, as Redis puts it on the wire.
private let examples: [(String, RESPValue)] = [
    ("+OK\r\n", .simpleString("OK")),
    ("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
    (":1000\r\n", .integer(1_000)),
    (":-42\r\n", .integer(-42)),
    ("$5\r\nhello\r\n", bulk("hello")),
    ("$0\r\n\r\n", bulk("")),
    ("$4\r\na\r\nb\r\n", bulk("a\r\nb")),
    ("$-1\r\n", .null),
    ("*-1\r\n", .null),
    ("_\r\n", .null),
    ("*0\r\n", .array([])),
    ("*3\r\n$3\r\nfoo\r\n:7\r\n$-1\r\n", .array([bulk("foo"), .integer(7), .null])),
    ("*2\r\n*1\r\n+a\r\n%1\r\n+k\r\n_\r\n", .array([.array([.simpleString("a")]), .map([.init(key: .simpleString("k"), value: .null)])])),
    (",3.25\r\n", .double(3.25)),
    (",-1e3\r\n", .double(-1_000)),
    (",inf\r\n", .double(.infinity)),
    (",-inf\r\n", .double(-.infinity)),
    ("#t\r\n", .boolean(true)),
    ("#f\r\n", .boolean(false)),
    ("(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
    ("(-12\r\n", .bigNumber("-12")),
    ("=15\r\ntxt:Some string\r\n", .verbatimString(format: "txt", text: "Some string")),
    ("!21\r\nSYNTAX invalid syntax\r\n", .error("SYNTAX invalid syntax")),
    (
        "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
        .map([.init(key: .simpleString("first"), value: .integer(1)), .init(key: .simpleString("second"), value: .integer(2))])
    ),
    ("~2\r\n+a\r\n:1\r\n", .set([.simpleString("a"), .integer(1)])),
    (">2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n", .push([.simpleString("invalidate"), .array([bulk("k")])])),
    // An attribute before a reply, from the RESP3 specification: dropped, the reply stays.
    (
        "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
        .array([.integer(2_039_123), .integer(9_543_892)])
    ),
    ("*2\r\n|1\r\n+ttl\r\n:3600\r\n+value\r\n:5\r\n", .array([.simpleString("value"), .integer(5)])),
]

@Suite struct RESPParserTests {
    @Test(arguments: examples)
    func readsEveryType(wire: String, expected: RESPValue) throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: wire)
        let value = try parser.parse(&buffer)
        #expect(value == expected)
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: examples)
    func waitsForTheLastByteWithoutConsumingAnything(wire: String, expected: RESPValue) throws {
        var parser = RESPParser()
        var buffer = ByteBuffer()
        let bytes = Array(wire.utf8)
        for (count, byte) in bytes.dropLast().enumerated() {
            buffer.writeInteger(byte)
            let early = try parser.parse(&buffer)
            #expect(early == nil, "a value after \(count + 1) of \(bytes.count) bytes")
            #expect(buffer.readableBytes == count + 1)
        }
        buffer.writeInteger(bytes.last!)
        let value = try parser.parse(&buffer)
        #expect(value == expected)
        #expect(buffer.readableBytes == 0)
    }

    @Test func readsValuesOneAfterAnother() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: "+OK\r\n:1\r\n$3\r\nab")
        var values: [RESPValue?] = []
        values.append(try parser.parse(&buffer))
        values.append(try parser.parse(&buffer))
        values.append(try parser.parse(&buffer))
        buffer.writeString("c\r\n")
        values.append(try parser.parse(&buffer))
        values.append(try parser.parse(&buffer))
        #expect(values == [.simpleString("OK"), .integer(1), nil, bulk("abc"), nil])
    }

    /// Replies as a stream consumer gets them, arriving in reads that end anywhere: each is read
    /// whole, in order, however the reads cut them (the parser resumes where it stopped).
    @Test func readsRepliesCutAnywhereByTheReads() throws {
        func entry(_ n: Int) -> String { "*2\r\n$4\r\n1-\(n)0\r\n*4\r\n$4\r\ntype\r\n$\(5 + String(n).count)\r\nsale.\(n)\r\n$1\r\nk\r\n$-1\r\n" }
        let replies = (1...3).map { count in "*1\r\n*2\r\n$6\r\nevents\r\n*\(count)\r\n" + (1...count).map(entry).joined() }
        let wire = Array(replies.joined().utf8)
        for step in [1, 2, 7, 64] {
            var parser = RESPParser()
            var buffer = ByteBuffer()
            var read: [RESPValue] = []
            for start in stride(from: 0, to: wire.count, by: step) {
                buffer.writeBytes(wire[start..<min(start + step, wire.count)])
                while let value = try parser.parse(&buffer) { read.append(value) }
            }
            let types = read.map { reply in
                reply.array?.first?.array?.last?.array?.map { $0.array?.last?.array?[1].string ?? "?" } ?? []
            }
            #expect(types == [["sale.1"], ["sale.1", "sale.2"], ["sale.1", "sale.2", "sale.3"]], "reads of \(step) bytes")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func keepsBulkStringsBinary() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(bytes: Array("$3\r\n".utf8) + [0x00, 0xFF, 0x0D] + Array("\r\n".utf8))
        let value = try parser.parse(&buffer)
        #expect(value?.bytes == [0x00, 0xFF, 0x0D])
    }

    @Test func readsNotANumber() throws {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: ",nan\r\n")
        let value = try parser.parse(&buffer)
        #expect(value?.double?.isNaN == true)
    }

    @Test(arguments: [
        ("?what\r\n", "unknown type byte"),
        ("x", "unknown type byte"),
        (":12a\r\n", "not a 64-bit decimal number"),
        (":99999999999999999999\r\n", "not a 64-bit decimal number"),
        ("$5\r\nhelloXX", "not followed by CRLF"),
        ("$-2\r\n", "negative"),
        ("*-5\r\n", "negative"),
        ("%-1\r\n", "negative"),
        ("+OK\rX\n", "CR not followed by LF"),
        ("#x\r\n", "not t or f"),
        (",abc\r\n", "not a number"),
        ("(12a\r\n", "not a decimal number"),
        ("_x\r\n", "carries data"),
        ("=3\r\ntxt\r\n", "verbatim string"),
        ("$536870913\r\n", "over the limit"),
    ])
    func refusesMalformedInputWithAClearReason(wire: String, reason: String) {
        var parser = RESPParser()
        var buffer = ByteBuffer(string: wire)
        let error = #expect(throws: RedisError.self) { try parser.parse(&buffer) }
        guard case .protocolError(let message)? = error else {
            Issue.record("expected a protocol error, got \(String(describing: error))")
            return
        }
        #expect(message.contains(reason), "\(message)")
    }

    @Test func acceptsSixtyFourLevelsOfNestingAndNoMore() throws {
        var parser = RESPParser()
        var deepEnough = ByteBuffer(string: String(repeating: "*1\r\n", count: 64) + ":1\r\n")
        let deepest = try parser.parse(&deepEnough)
        #expect(deepest != nil)

        var tooDeep = ByteBuffer(string: String(repeating: "*1\r\n", count: 65) + ":1\r\n")
        let error = #expect(throws: RedisError.self) { try parser.parse(&tooDeep) }
        #expect(error?.description.contains("nested deeper than 64") == true)
    }

    @Test func enforcesItsLimits() {
        var smallBulk = RESPParser(maximumBulkLength: 4)
        var payload = ByteBuffer(string: "$5\r\nhello\r\n")
        #expect(throws: RedisError.self) { try smallBulk.parse(&payload) }

        var shortLines = RESPParser(maximumLineLength: 8)
        var line = ByteBuffer(string: "+0123456789")  // no CRLF yet, and already too long
        #expect(throws: RedisError.self) { try shortLines.parse(&line) }

        var fewElements = RESPParser(maximumAggregateCount: 2)
        var array = ByteBuffer(string: "*3\r\n")
        #expect(throws: RedisError.self) { try fewElements.parse(&array) }
    }

    @Test func readsAMapAsPairsAndAsAFlatArray() {
        let pair = RESPValue.Pair(key: .simpleString("a"), value: .integer(1))
        let map = RESPValue.map([pair])
        #expect(map.array == [.simpleString("a"), .integer(1)])
        #expect(map.pairs == [pair])
        #expect(RESPValue.array([.simpleString("a"), .integer(1)]).pairs == [pair])
        #expect(bulk("42").int == 42)
        #expect(bulk("text").string == "text")
        #expect(RESPValue.null.isNull)
    }
}

@Suite struct RESPEncoderTests {
    @Test func writesACommandAsAnArrayOfBulkStrings() {
        var buffer = ByteBuffer()
        RESPEncoder.encode(["SET", "clé", 42, .bytes([0x00, 0xFF]), .buffer(ByteBuffer(string: "ab"))], into: &buffer)
        let expected = Array("*5\r\n$3\r\nSET\r\n$4\r\nclé\r\n$2\r\n42\r\n$2\r\n".utf8) + [0x00, 0xFF]
            + Array("\r\n$2\r\nab\r\n".utf8)
        #expect([UInt8](buffer: buffer) == expected)
    }

    @Test func writesAnEmptyArgument() {
        var buffer = ByteBuffer()
        RESPEncoder.encode(["GET", ""], into: &buffer)
        #expect(String(buffer: buffer) == "*2\r\n$3\r\nGET\r\n$0\r\n\r\n")
    }

    @Test func whatItWritesReadsBack() throws {
        var buffer = ByteBuffer()
        let key = "order:\(Int.max)"
        RESPEncoder.encode(["XADD", .string(key), "*", "amount", -17], into: &buffer)
        var parser = RESPParser()
        let value = try parser.parse(&buffer)
        #expect(value?.array?.compactMap(\.string) == ["XADD", key, "*", "amount", "-17"])
    }
}

@Suite struct RedisScriptDigestTests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("return 1", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"),
    ])
    func namesAScriptByItsSHA1(script: String, digest: String) {
        #expect(RedisScriptDigest.sha1(script) == digest)
    }
}
