import ERPKernel
import ERPTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Platform
import ServiceRuntime
@testable import neuroerp

/// Builds a whole process as `neuroerp serve` would, on a fresh data directory.
func assembleProcess(_ flags: [String: String] = [:]) async throws -> ProcessAssembly.AssembledProcess {
    var flags = flags
    if flags["dataDir"] == nil { flags["dataDir"] = try TestDatabase.temporaryDirectory().path }
    if flags["databaseUrl"] == nil, let url = TestDatabase.postgresURL(isolatedBy: flags["dataDir"]!) { flags["databaseUrl"] = url }
    let configuration = try ServeConfiguration(sources: ConfigurationSources(flags: flags))
    return try await ProcessAssembly(configuration: configuration, logger: TestDatabase.logger).build()
}

/// Runs `test` against the process's router in-process, then closes the process.
func withProcess(
    _ flags: [String: String] = [:],
    _ test: @Sendable (any TestClientProtocol, _ databases: [DatabaseName: any SQLDatabase]) async throws -> Void
) async throws {
    let process = try await assembleProcess(flags)
    do {
        try await Application(router: process.router).test(.router) { [databases = process.databases] client in
            try await test(client, databases)
        }
    } catch {
        await process.close()
        throw error
    }
    await process.close()
}

extension TestResponse {
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONCoding.decoder.decode(T.self, from: Data(body.readableBytesView))
    }

    var text: String { String(buffer: body) }
}

import Testing
