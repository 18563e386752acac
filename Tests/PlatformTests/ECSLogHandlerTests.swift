import Foundation
import Logging
import Testing
@testable import Platform

@Suite struct ECSLogHandlerTests {
    @Test func aLineIsOneJSONObjectWithECSNames() throws {
        var line = JSONLine()
        line.append("@timestamp", "2026-11-25T09:00:00.000Z")
        line.append("message", "quote \" backslash \\ newline \n control \u{01} umlaut ä")
        line.append("http.response.status_code", Logger.MetadataValue.stringConvertible(404))
        line.append("labels", Logger.MetadataValue.dictionary(["a": "b"]))
        let text = String(decoding: line.finish(), as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(text.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "quote \" backslash \\ newline \n control \u{01} umlaut ä")
        #expect(object["http.response.status_code"] as? Int == 404)
        #expect((object["labels"] as? [String: String])?["a"] == "b")
    }

    @Test func logTimestampsAreRFC3339WithMilliseconds() throws {
        let stamp = RFC3339.now()
        #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
        let parsed = try #require(RFC3339.date(from: stamp))
        #expect(abs(parsed.timeIntervalSinceNow) < 5)
    }

    @Test func timestampsAreRFC3339InUTC() throws {
        let text = RFC3339.string(from: Date(timeIntervalSince1970: 0), fractionalSeconds: true)
        #expect(text == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.date(from: text) == Date(timeIntervalSince1970: 0))
        #expect(RFC3339.date(from: "1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
    }
}
