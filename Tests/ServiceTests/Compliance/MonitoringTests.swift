import ERPKernel
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Monitoring of batches and silos: measurements in bulk, breaches, and the alert lifecycle.
@Suite struct MonitoringTests {
    @Test func aBulkUploadStoresTheValidRowsNamesEachBadOneAndOpensOneAlertPerBreachedProperty() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let monitor = try await trade.send(
                .post, "/api/v1/compliance/monitors",
                #"{"target": {"kind": "location", "id": "\#(trade.location)"}, "thresholds": [{"property": "temperature", "unit": "°C", "minimum": "18", "maximum": "22", "severity": "critical"}, {"property": "humidity", "unit": "%", "maximum": "60", "severity": "warning"}]}"#)
            #expect(monitor.status == .created, "\(monitor.text)")
            let id = monitor.object["id"] as! String
            let rows = [
                #"{"property": "temperature", "value": "20.5", "measuredAt": "2026-11-25T08:00:00Z"}"#,
                #"{"property": "temperature", "value": "23.1", "measuredAt": "2026-11-25T09:00:00Z"}"#,  // breach
                #"{"property": "temperature", "value": "warm"}"#,  // bad value
                #"{"property": "humidity", "value": "55"}"#,
                #"{"property": "Humidity!", "value": "55"}"#,  // bad property
                #"{"property": "humidity", "value": "71", "measuredAt": "gestern"}"#,  // bad time
                #"{"property": "temperature", "value": "24.0", "measuredAt": "2026-11-25T10:00:00Z", "sensor": 7}"#,  // unknown field
                #"{"property": "temperature", "value": "17.9", "measuredAt": "2026-11-25T11:00:00Z"}"#,  // breach
                #""just text""#,
            ]
            let upload = try await trade.send(.post, "/api/v1/compliance/monitors/\(id)/measurements", #"{"measurements": [\#(rows.joined(separator: ", "))]}"#)
            #expect(upload.status == .ok, "\(upload.text)")
            #expect(upload.object["accepted"] as? Int == 4)
            let rejected = (upload.object["rejected"] as? [[String: Any]] ?? []).map { row in
                "\(row["index"] as? Int ?? -1):" + ((row["invalidParams"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.joined(separator: ",")
            }
            #expect(rejected == [
                "2:measurements[2].value", "4:measurements[4].property", "5:measurements[5].measuredAt", "6:measurements[6].sensor",
                "8:measurements[8]",
            ])
            let alerts = upload.object["alerts"] as? [[String: Any]] ?? []
            #expect(alerts.count == 1)
            #expect(alerts.first?["property"] as? String == "temperature" && alerts.first?["breaches"] as? Int == 2)
            #expect(alerts.first?["lastValue"] as? String == "17.9" && alerts.first?["severity"] as? String == "critical")

            // Another breach adds to the alert that is not resolved; after resolving, a new one opens.
            let more = try await trade.send(.post, "/api/v1/compliance/monitors/\(id)/measurements", #"{"measurements": [{"property": "temperature", "value": "30"}]}"#)
            let alert = (more.object["alerts"] as? [[String: Any]])?.first
            #expect(alert?["id"] as? String == alerts.first?["id"] as? String && alert?["breaches"] as? Int == 3)
            let alertID = alerts.first?["id"] as? String ?? ""
            #expect(try await trade.send(.post, "/api/v1/compliance/alerts/\(alertID)/resolve", #"{}"#).status == .badRequest)  // say how
            let acknowledged = try await trade.send(.post, "/api/v1/compliance/alerts/\(alertID)/acknowledge", #"{"note": "Lüfter geprüft"}"#)
            #expect(acknowledged.object["status"] as? String == "acknowledged")
            let resolved = try await trade.send(.post, "/api/v1/compliance/alerts/\(alertID)/resolve", #"{"note": "Kühlung repariert"}"#)
            #expect(resolved.object["status"] as? String == "resolved")
            #expect(try await trade.send(.post, "/api/v1/compliance/alerts/\(alertID)/acknowledge", #"{}"#).status == .conflict)
            let later = try await trade.send(.post, "/api/v1/compliance/monitors/\(id)/measurements", #"{"measurements": [{"property": "temperature", "value": "31"}]}"#)
            #expect((later.object["alerts"] as? [[String: Any]])?.first?["id"] as? String != alertID)
            let open = try await trade.get("/api/v1/compliance/alerts?status=open")["data"] as? [[String: Any]] ?? []
            #expect(open.count == 1)

            // The stored rows, in time order, a page at a time.
            var values: [String] = []
            var cursor: String?
            repeat {
                let page = try await trade.get("/api/v1/compliance/monitors/\(id)/measurements?property=temperature&limit=2" + (cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" } ?? ""))
                values += (page["data"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            #expect(values.prefix(3) == ["20.5", "23.1", "17.9"] && values.count == 5)

            // A stopped monitor takes no more measurements.
            #expect(try await trade.send(.post, "/api/v1/compliance/monitors/\(id)/stop", "").object["active"] as? Bool == false)
            #expect(try await trade.send(.post, "/api/v1/compliance/monitors/\(id)/measurements", #"{"measurements": [{"property": "humidity", "value": "50"}]}"#).status == .conflict)
        }
    }

    @Test func aRetriedUploadUnderItsKeyIsStoredOnce() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let monitor = try await trade.send(
                .post, "/api/v1/compliance/monitors",
                #"{"target": {"kind": "batch", "id": "\#(trade.seedBatch)"}, "thresholds": [{"property": "moisture", "maximum": "12", "severity": "critical"}]}"#)
            let path = "/api/v1/compliance/monitors/\(monitor.object["id"] as! String)/measurements"
            let upload = #"{"measurements": [{"property": "moisture", "value": "13"}, {"property": "moisture", "value": "14"}]}"#
            let first = try await trade.send(.post, path, upload, key: "scale-2026-11-25-0800")
            let retry = try await trade.send(.post, path, upload, key: "scale-2026-11-25-0800")
            #expect(retry.text == first.text && retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let next = try await trade.send(.post, path, #"{"measurements": [{"property": "moisture", "value": "15"}]}"#)
            #expect((next.object["alerts"] as? [[String: Any]])?.first?["breaches"] as? Int == 3)
        }
    }

    @Test func aMonitorWithoutThresholdsTakesTheRuleSetsMeasurementBounds() async throws {
        try await IdentityWorld.with { client, _ in
            let trade = try await Trade.setUp(client, token: try await client.tokens("admin@nord.example").access_token)
            let monitor = try await trade.send(
                .post, "/api/v1/compliance/monitors", #"{"target": {"kind": "batch", "id": "\#(trade.seedBatch)"}, "checkType": "gmp_plus"}"#)
            let properties = (monitor.object["thresholds"] as? [[String: Any]] ?? []).compactMap { $0["property"] as? String }
            #expect(properties == ["transport_temperature", "transport_humidity", "contamination"])
            let tooMany = String(repeating: #"{"property": "x", "value": "1"},"#, count: 10_001).dropLast()
            let big = try await trade.send(.post, "/api/v1/compliance/monitors/\(monitor.object["id"] as! String)/measurements", #"{"measurements": [\#(tooMany)]}"#)
            #expect(big.status == .badRequest)
            let bad = try await trade.send(
                .post, "/api/v1/compliance/monitors", #"{"target": {"kind": "silo", "id": "\#(trade.location)"}, "thresholds": [{"property": "t", "severity": "warning"}]}"#)
            #expect(bad.status == .badRequest)
        }
    }
}
