import Foundation
import Platform
import Testing

/// Every RFC 3339 `date-time` that the OpenAPI documents' `format: date-time` admits is read,
/// and nothing else (schemathesis sent `1418-01-22T16:38:55.015+18:41` and it was refused).
@Suite struct RFC3339ParsingTests {
    @Test(arguments: [
        ("2026-11-25T10:00:00Z", 1_795_600_800.0),
        ("2026-11-25t10:00:00z", 1_795_600_800.0),
        ("2026-11-25T10:00:00.250Z", 1_795_600_800.25),
        ("2026-11-25T12:30:00+02:30", 1_795_600_800.0),
        ("2026-11-25T00:00:00-10:00", 1_795_600_800.0),
        ("1970-01-01T00:00:00+23:59", -86_340.0),
        ("2016-12-31T23:59:60Z", 1_483_228_799.0),
        ("2024-02-29T00:00:00Z", 1_709_164_800.0),
        ("1418-01-22T16:38:55.015+18:41", -17_417_642_524.985),
    ])
    func readsEveryForm(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.date(from: text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test(arguments: [
        "2026-11-25", "2026-11-25T10:00:00", "2026-11-25 10:00:00Z", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z", "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00+24:00", "2026-11-25T10:00:00+0200",
        "2026-11-25T10:00:00Zjunk", "",
    ])
    func refusesEverythingElse(text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }
}
