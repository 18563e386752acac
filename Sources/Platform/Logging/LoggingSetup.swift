import Logging

/// How log lines look: JSON lines in ECS for machines (default), plain text for people.
public enum LogFormat: String, Sendable, CaseIterable {
    case json, text
}

public enum LoggingSetup {
    /// Installs the process-wide log handler. Call once, before anything logs.
    public static func bootstrap(format: LogFormat, level: Logger.Level, serviceName: String) {
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                return ECSLogHandler(label: label, serviceName: serviceName, level: level)
            case .text:
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
