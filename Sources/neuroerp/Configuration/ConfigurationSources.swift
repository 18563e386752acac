import Foundation

/// Where a value came from, for error messages and the effective-configuration log line.
enum ConfigurationSource: String, Sendable {
    case flag, environment, file, `default`
}

/// The raw values of every source, merged by precedence: flags > environment > file > defaults.
struct ConfigurationSources: Sendable {
    var flags: [String: String] = [:]
    var environment: [String: String] = [:]
    var file: [String: String] = [:]

    /// The winning raw value of a setting and where it came from; `nil` when unset everywhere.
    func value(of setting: Setting) -> (value: String, source: ConfigurationSource)? {
        if let value = flags[setting.key] { return (value, .flag) }
        if let value = environment[setting.environment] { return (value, .environment) }
        if let value = file[setting.key] { return (value, .file) }
        return setting.defaultValue.map { ($0, .default) }
    }

    /// Reads a JSON config file into raw values. Objects (upstreams) become `NAME=URL,…`, a list of URLs one entry each.
    /// - Throws: `ConfigurationError` naming the file and what is wrong with it.
    static func readFile(at path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("config file \(path) cannot be read")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError("config file \(path) is not a JSON object")
        }
        let known = Set(Setting.all.map(\.key))
        var values: [String: String] = [:]
        for (key, value) in object {
            guard known.contains(key) else {
                throw ConfigurationError("config file \(path): unknown key \"\(key)\"; known keys: \(known.sorted().joined(separator: ", "))")
            }
            switch value {
            case let text as String: values[key] = text
            case let number as NSNumber: values[key] = number.stringValue
            case let list as [String]: values[key] = list.joined(separator: ",")
            case let map as [String: String]: values[key] = map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            // Replicas: {"users": ["http://a:8080", "http://b:8080"]}.
            case let map as [String: [String]]:
                values[key] = map.sorted { $0.key < $1.key }.flatMap { name, urls in urls.map { "\(name)=\($0)" } }.joined(separator: ",")
            default: throw ConfigurationError("config file \(path): \"\(key)\" has a value of the wrong type")
            }
        }
        return values
    }
}

/// A configuration value that cannot be used; the message names the setting and its source.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
