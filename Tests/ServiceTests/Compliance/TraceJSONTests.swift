import ERPKernel
import Foundation
import ServiceRuntime
import Testing
@testable import ComplianceService

/// Traces and recall reports are written by hand for speed: the text must be what the encoder writes.
@Suite struct TraceJSONTests {
    @Test func handWrittenTracesAndReportsAreWhatTheEncoderWrites() throws {
        let batch = EntityID.generate()
        let movements = (0..<20).map { index in
            TracedMovement(
                transactionId: .generate(), kind: index % 2 == 0 ? "sale" : "goods_issue", date: "2026-11-\(10 + index)",
                partnerId: index % 3 == 0 ? nil : .generate(), partnerName: index % 3 == 0 ? nil : "Hof \"Meyer\"; GbR",
                partnerCity: index % 4 == 0 ? nil : "Uelzen", batchId: batch, batchNumber: index % 5 == 0 ? nil : "W-1",
                articleId: .generate(), articleName: "Futterweizen", quantity: "12.5", unit: index % 2 == 0 ? "kg" : nil)
        }
        let trace = Trace(
            batchId: batch, direction: .forward,
            batches: [TracedBatch(batchId: batch, batchNumber: "W-1", articleId: .generate(), generation: 0),
                      TracedBatch(batchId: .generate(), batchNumber: nil, articleId: nil, generation: 1)],
            movements: movements, complete: false)
        #expect(String(decoding: trace.jsonData, as: UTF8.self) == String(decoding: try JSONCoding.encoder.encode(trace), as: UTF8.self))
        let report = RecallReport(trace: trace, generatedAt: Date.nowInWholeSeconds)
        #expect(String(decoding: report.jsonData, as: UTF8.self) == String(decoding: try JSONCoding.encoder.encode(report), as: UTF8.self))
        #expect(report.csv.split(separator: "\r\n").count == 21)
        #expect(report.csv.contains(#""Hof ""Meyer""; GbR""#))
    }
}
