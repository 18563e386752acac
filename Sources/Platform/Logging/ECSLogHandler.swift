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
        line.append("@timestamp", RFC3339.now())
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
