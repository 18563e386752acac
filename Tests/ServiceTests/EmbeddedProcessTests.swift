import ERPKernel
import ERPTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Platform
import ServiceRuntime
import Testing
@testable import neuroerp

/// The whole embedded process, assembled as `neuroerp serve` does, driven through its router.
@Suite struct EmbeddedProcessTests {
    @Test func theGatewayListsTheTenServicesWithTheirDatabases() async throws {
        try await withProcess { client, _ in
            let response = try await client.execute(uri: "/api/v1/system/services", method: .get)
            #expect(response.status == .ok)
            let page = try response.decode(ServicePage.self)
            #expect(page.data.map(\.name) == ServiceName.allCases.map(\.rawValue))
            #expect(page.data.allSatisfy { $0.status == "up" && $0.mode == .embedded && $0.address == "in-process" })
            let users = try #require(page.data.first { $0.name == "users" })
            #expect(users.databases == [DatabaseInfo(name: "main", migrationVersion: 1, platformMigrationVersion: 2)])
            #expect(page.data.first { $0.name == "audit" }?.databases.first?.name == "audit")
            #expect(page.data.first { $0.name == "dashboard" }?.databases == [])
        }
    }

    @Test func oneServiceCanBeAskedByName() async throws {
        try await withProcess { client, _ in
            let response = try await client.execute(uri: "/api/v1/system/services/compliance", method: .get)
            #expect(try response.decode(ServiceInfo.self).databases.first?.name == "compliance")
            let unknown = try await client.execute(uri: "/api/v1/system/services/billing", method: .get)
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func publicPathsReachTheOwningServiceAndInternalOnesStayInside() async throws {
        try await withProcess { client, _ in
            // The audit service has no public route yet: its own router answers 404 for the path.
            let forwarded = try await client.execute(uri: "/api/v1/audit/entries", method: .get)
            #expect(forwarded.status == .notFound)
            #expect(try forwarded.decode(ProblemBody.self).instance == "/api/v1/audit/entries")
            let internalRoute = try await client.execute(uri: "/internal/v1/audit/info", method: .get)
            #expect(internalRoute.status == .notFound)
        }
    }

    @Test func metricsAreLabelledByRouteTemplate() async throws {
        try await withProcess { client, databases in
            _ = try await client.execute(uri: "/api/v1/system/services/users", method: .get)
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"http_requests_total{method="GET",route="/api/v1/system/services/{name}",status="200"} 1"#))
            #expect(metrics.contains("# HELP http_request_duration_seconds"))
            #expect(metrics.contains("process_resident_memory_bytes"))
            #expect(metrics.contains(#"db_pool_connections{database="main",role="reader"} \#(databases[.main]!.readerCount)"#))
        }
    }

    @Test func readinessNamesTheDatabaseThatFails() async throws {
        try await withProcess { client, databases in
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            await databases[.audit]!.close()
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(try response.decode(ProblemBody.self).detail?.contains("database:audit") == true)
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
        }
    }

    @Test func committedDataSurvivesARestart() async throws {
        let directory = try TestDatabase.temporaryDirectory().path
        let first = try await assembleProcess(["dataDir": directory])
        let event = EventEnvelope(type: "audit.test.v1", source: "audit", payload: Data("{}".utf8))
        try await first.databases[.audit]!.write { try Outbox.append([event], in: $0) }
        await first.close()
        let second = try await assembleProcess(["dataDir": directory])
        if TestDatabase.postgresURL == nil {
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sqlite") }.sorted()
            #expect(files == ["analytics.sqlite", "audit.sqlite", "compliance.sqlite", "documents.sqlite", "main.sqlite"])
        }
        #expect(second.databases.keys.map(\.rawValue).sorted() == ["analytics", "audit", "compliance", "documents", "main"])
        let pending = try await Outbox(database: second.databases[.audit]!).pending(limit: 10)
        #expect(pending.events == [event])
        await second.close()
    }

    struct ServicePage: Decodable {
        let data: [ServiceInfo]
        let nextCursor: String?
    }
}
