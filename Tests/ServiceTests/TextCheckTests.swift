import ERPKernel
import ServiceRuntime
import Testing

/// Text fields are checked as the OpenAPI document describes them, so a client validating
/// against the document and the server never disagree.
@Suite struct TextCheckTests {
    @Test func lengthIsCountedInCodePointsAsTheDocumentCountsThem() {
        let accented = "e" + String(repeating: "\u{301}", count: 10)  // one Character, eleven code points
        #expect(Check.text(accented, "name", length: 1...10) == [InvalidParam(name: "name", reason: "1 to 10 characters, not blank")])
        #expect(Check.text(accented, "name", length: 1...11).isEmpty)
        #expect(Check.text("Saatgut 🌾", "name", length: 1...9).isEmpty)
    }

    @Test func blankAndControlCharactersAreRefused() {
        #expect(!Check.text("   ", "name", length: 1...10).isEmpty)
        #expect(!Check.text("a\u{7}b", "name", length: 1...10).isEmpty)
        #expect(!Check.text("a\u{85}b", "name", length: 1...10).isEmpty)
    }
}
