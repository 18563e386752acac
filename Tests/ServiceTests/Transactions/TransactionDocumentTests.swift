import ERPKernel
import Foundation
import ServiceRuntime
import Testing
@testable import TransactionService

/// The hand-written transaction document must stay byte for byte what `JSONCoding.encoder`
/// writes: stored documents are read back with the ordinary decoder, and a replayed
/// idempotent answer must equal the first.
@Suite struct TransactionDocumentTests {
    @Test func theDocumentIsWhatTheEncoderWritesForRandomTransactions() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let transaction = Self.randomTransaction(using: &random)
            let expected = try JSONCoding.encoder.encode(transaction)
            #expect(String(decoding: transaction.jsonDocument, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
            #expect(try JSONCoding.decoder.decode(BusinessTransaction.self, from: transaction.jsonDocument) == transaction)
        }
    }

    @Test func dueDatesCountCalendarDaysAcrossMonthsYearsAndLeapDays() {
        #expect(TransactionProcessor.dueDate("2028-02-28", days: 1) == "2028-02-29")
        #expect(TransactionProcessor.dueDate("2027-02-28", days: 1) == "2027-03-01")
        #expect(TransactionProcessor.dueDate("2026-12-15", days: 30) == "2027-01-14")
        #expect(TransactionProcessor.dueDate("2026-03-31", days: 0) == "2026-03-31")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 1999, month: 12, day: 1))!
        for offset in stride(from: 0, to: 20_000, by: 13) {
            let day = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: offset, to: start)!)
            let text = CivilDate(year: day.year!, month: day.month!, day: day.day!).description
            #expect(CivilDate(text).map { $0 + 0 }?.description == text)
            #expect((CivilDate("1999-12-01")! + offset).description == text)
        }
    }

    @Test func impossibleDatesAreNoCivilDates() {
        for text in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01", "26-01-01", "2026-01-01T00", ""] {
            #expect(CivilDate(text) == nil, "\(text)")
        }
        #expect(CivilDate("2028-02-29") != nil)
    }

    private static func randomTransaction(using random: inout SystemRandomNumberGenerator) -> BusinessTransaction {
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { Bool.random(using: &random) ? value() : nil }
        let texts = ["Lieferung 4711", "Weizen \"A\" / Partie\n2", "Ölrettich – Saatgut", "tab\tand \\ backslash", "\u{1}\u{8}\u{c}"]
        let items = (0..<Int.random(in: 1...4, using: &random)).map { _ in
            TransactionItem(
                articleId: .generate(), batchId: .generate(), locationId: .generate(), toLocationId: maybe(.generate()),
                quantity: "\(Int.random(in: 1...9999, using: &random)).5", unit: maybe(BaseUnit.allCases.randomElement()!),
                unitPrice: maybe("0.89"), taxCode: maybe("DE19"), role: maybe(ProductionRole.allCases.randomElement()!))
        }
        return BusinessTransaction(
            id: .generate(), kind: TransactionKind.allCases.randomElement(using: &random)!,
            status: TransactionStatus.allCases.randomElement(using: &random)!, partnerId: maybe(.generate()), date: "2026-11-25",
            reference: maybe(texts.randomElement(using: &random)!), currency: "EUR", items: items,
            totals: Totals(netMinor: Int.random(in: -10_000...10_000, using: &random), taxMinor: 19, grossMinor: -7),
            journalEntryId: maybe(.generate()), reversesId: maybe(.generate()), reversedById: maybe(.generate()),
            rejections: maybe([InvalidParam(name: "items[0].batchId", reason: texts.randomElement(using: &random)!)]),
            createdBy: .generate(), createdAt: Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &random))),
            postedAt: maybe(Date.nowInWholeSeconds))
    }
}
