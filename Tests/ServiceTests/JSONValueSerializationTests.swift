import Foundation
import ServiceRuntime
import Testing

/// Event payloads are written by hand (`jsonData`); they must read back as the same value.
@Suite struct JSONValueSerializationTests {
    @Test func payloadsReadBackAsTheSameValueWithSortedKeys() throws {
        let value: JSONValue = [
            "quote": "er sagte \"ja\" \\ nein", "lines": "eins\nzwei\tdrei\u{01}", "umlaut": "Düngerstreuer ✓",
            "amount": 17120, "fraction": .number(0.425), "negative": -3, "flag": true, "nothing": .null,
            "list": [1, "zwei", ["drei": 3]],
        ]
        let data = value.jsonData
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix(#"{"amount":17120,"flag":true,"fraction":0.425,"lines":"eins\nzwei\tdrei\u0001","list":"#))
    }
}
