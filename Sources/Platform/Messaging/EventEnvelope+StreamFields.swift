import ERPKernel
import Foundation

/// An event as the fields of one Redis stream entry, and back.
extension EventEnvelope {
    var streamFields: [(String, [UInt8])] {
        var fields: [(String, [UInt8])] = [
            ("id", Array(id.description.utf8)), ("type", Array(type.utf8)), ("source", Array(source.utf8)),
            ("time", Array(String(Int64((occurredAt.timeIntervalSince1970 * 1000).rounded())).utf8)),
        ]
        if let tenantID { fields.append(("tenant", Array(tenantID.description.utf8))) }
        if let subject { fields.append(("subject", Array(subject.utf8))) }
        if let traceID { fields.append(("trace", Array(traceID.utf8))) }
        fields.append(("payload", Array(payload)))
        return fields
    }

    /// - Throws: `UnreadableStreamEntry` when a field is missing or malformed (a foreign writer).
    init(streamFields fields: [(String, [UInt8])]) throws {
        var values: [String: [UInt8]] = [:]
        for (name, value) in fields { values[name] = value }
        func text(_ name: String) -> String? { values[name].map { String(decoding: $0, as: UTF8.self) } }
        guard let id = text("id").flatMap(EntityID.init), let type = text("type"), let source = text("source"),
            let millis = text("time").flatMap(Int64.init), let payload = values["payload"]
        else { throw UnreadableStreamEntry(fields: fields.map(\.0)) }
        let tenant = try text("tenant").map { text in
            guard let tenant = TenantID(text) else { throw UnreadableStreamEntry(fields: fields.map(\.0)) }
            return tenant
        }
        self.init(
            id: id, type: type, source: source, tenantID: tenant, subject: text("subject"),
            occurredAt: Date(timeIntervalSince1970: Double(millis) / 1000), traceID: text("trace"), payload: Data(payload))
    }
}

/// A stream entry that is not an event of this system.
struct UnreadableStreamEntry: Error, CustomStringConvertible {
    let fields: [String]
    var description: String { "stream entry with fields \(fields.joined(separator: ", ")) is not an event" }
}
