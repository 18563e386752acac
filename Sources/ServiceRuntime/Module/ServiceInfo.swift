import ERPKernel

/// What `/api/v1/system/services` reports about one service.
public struct ServiceInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var mode: RunMode
    /// `in-process` or the base URL the gateway uses.
    public var address: String
    /// `up` or `down`, as the gateway saw it.
    public var status: String
    public var databases: [DatabaseInfo]

    public init(name: String, version: String, mode: RunMode, address: String, status: String, databases: [DatabaseInfo]) {
        self.name = name
        self.version = version
        self.mode = mode
        self.address = address
        self.status = status
        self.databases = databases
    }
}

/// A service's database and how far each of its migration tracks is applied.
public struct DatabaseInfo: Codable, Sendable, Equatable {
    public var name: String
    /// The service's own schema version.
    public var migrationVersion: Int
    /// The version of the shared outbox/inbox tables in the same database.
    public var platformMigrationVersion: Int

    public init(name: String, migrationVersion: Int, platformMigrationVersion: Int) {
        self.name = name
        self.migrationVersion = migrationVersion
        self.platformMigrationVersion = platformMigrationVersion
    }
}
