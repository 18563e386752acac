@testable import Platform
import Testing

/// Which INSERTs the PostgreSQL writer may send as a column per parameter: rows of marks and
/// constants, each row alike.
@Suite struct ColumnarWriteTests {
    @Test func rowsOfMarksAndTheSameConstantsHaveOneTemplate() throws {
        let (template, rows) = try #require(ParsedInsert.template(of: " (?, ?, 'open', ?),\n (?, ?, 'open', ?)"))
        #expect(template == [nil, nil, "'open'", nil])
        #expect(rows == 2)
        #expect(ParsedInsert.template(of: "(?, 'a, (b)', now())")?.0 == [nil, "'a, (b)'", "now()"])
    }

    @Test func rowsThatDifferOrMixMarksIntoExpressionsHaveNone() {
        #expect(ParsedInsert.template(of: "(?, 'open'), (?, 'closed')") == nil)
        #expect(ParsedInsert.template(of: "(?, ?), (?)") == nil)
        #expect(ParsedInsert.template(of: "(COALESCE(?, 0))") == nil)
        #expect(ParsedInsert.template(of: "(?, 1) -- note") == nil)
        #expect(ParsedInsert.template(of: "('only constants')") == nil)
        #expect(ParsedInsert.template(of: "(?, 'unclosed)") == nil)
    }
}
