import Foundation
import Logging

/// Writes one JSON object per line to standard output with Elastic Common Schema field names
/// (`@timestamp`, `log.level`, `message`, `service.name`, …), ready for a log shipper.
///
/// Metadata keys are written as they are, so callers use ECS names (`trace.id`, `url.path`).
/// Secrets never reach here: callers log identifiers, not credentials or request bodies.
public struct ECSLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let serviceName: String

    public init(label: String, serviceName: String, level: Logger.Level = .info) {
        self.label = label
        self.serviceName = serviceName
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = JSONLine()
        line.append("@timestamp", RFC3339.string(from: Date(), fractionalSeconds: true))
        line.append("log.level", event.level.rawValue)
        line.append("message", event.message.description)
        line.append("service.name", serviceName)
        line.append("log.logger", label)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error, merged["error.type"] == nil {
            merged["error.type"] = .string(String(describing: type(of: error)))
        }
        for key in merged.keys.sorted() {
            line.append(key, merged[key]!)
        }
        StandardOutput.shared.write(line.finish())
    }
}

/// Builds one JSON object without going through `JSONSerialization` for every log line.
struct JSONLine {
    private var text = "{"

    mutating func append(_ key: String, _ value: String) {
        if text.count > 1 { text += "," }
        text += JSONLine.quote(key) + ":" + JSONLine.quote(value)
    }

    mutating func append(_ key: String, _ value: Logger.MetadataValue) {
        if text.count > 1 { text += "," }
        text += JSONLine.quote(key) + ":" + JSONLine.render(value)
    }

    func finish() -> String { text + "}\n" }

    static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string):
            // Numbers logged as strings stay strings; ECS fields like event.duration are logged as stringConvertible.
            return quote(string)
        case .stringConvertible(let convertible):
            if let number = convertible as? any BinaryInteger { return "\(number)" }
            if let number = convertible as? Double, number.isFinite { return "\(number)" }
            if let flag = convertible as? Bool { return flag ? "true" : "false" }
            return quote(convertible.description)
        case .array(let values):
            return "[" + values.map(render).joined(separator: ",") + "]"
        case .dictionary(let entries):
            return "{" + entries.keys.sorted().map { quote($0) + ":" + render(entries[$0]!) }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
