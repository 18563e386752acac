import ERPKernel
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceRuntime
import Testing
@testable import neuroerp

/// The published API document and the routes that exist must never drift apart.
@Suite struct OpenAPIDocumentTests {
    /// `{"paths": {"/x": {"get": …}}}` → `["GET /x"]`.
    static func operations(in document: [String: Any]) -> Set<String> {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return Set(paths.flatMap { path, methods in methods.keys.map { "\($0.uppercased()) \(path)" } })
    }

    /// The routes of a router in OpenAPI's template form; for a gateway, without its forwarding catch-alls.
    static func routes(of router: Router<ServiceContext>, gateway: Bool) -> Set<String> {
        let forwardedPrefixes = gateway ? Set(ServiceName.allCases.flatMap(\.publicPathPrefixes)) : []
        return Set(router.routes.compactMap { route -> String? in
            let path = route.path.description
            if path.hasSuffix("/**") || forwardedPrefixes.contains(path) { return nil }
            let template = path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            return "\(route.method.rawValue) /\(template)"
        })
    }

    @Test func theGatewayDocumentsExactlyTheRoutesItServes() async throws {
        let process = try await assembleProcess()
        let served = Self.routes(of: process.router, gateway: true)
        try await Application(router: process.router).test(.router) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            let document = try response.json()
            #expect(document["openapi"] as? String == "3.1.0")
            let documented = Self.operations(in: document)
            // Every documented operation of a service behind the gateway is forwarded under its prefix.
            let ownDocumented = documented.filter { operation in
                !ServiceName.allCases.contains { service in service.publicPathPrefixes.contains { operation.split(separator: " ")[1].hasPrefix($0) } }
            }
            #expect(served.subtracting(ownDocumented).isEmpty, "served but not documented: \(served.subtracting(ownDocumented))")
            #expect(ownDocumented.subtracting(served).isEmpty, "documented but not served: \(ownDocumented.subtracting(served))")
        }
        await process.close()
    }

    @Test func everyServiceDocumentsExactlyItsPublicRoutes() async throws {
        let process = try await assembleProcess(["services": "auth,users,transactions,compliance,documents,notifications,reporting,dashboard,audit"])
        let publicRoutes = Self.routes(of: process.router, gateway: false).filter { $0.contains(" /api/") || $0.contains(" /.well-known/") }
        let documented = ServiceFactory.openAPIFragments.reduce(into: Set<String>()) { $0.formUnion($1.operations) }
        #expect(!documented.isEmpty)
        #expect(publicRoutes == documented, "served only: \(publicRoutes.subtracting(documented)); documented only: \(documented.subtracting(publicRoutes))")
        await process.close()
    }

    @Test func operationIDsAreUnique() {
        let fragments = ServiceFactory.openAPIFragments + [ServiceFactory.moduleTypes[.gateway]!.openAPI]
        let ids = fragments.flatMap { $0.paths.values.flatMap { $0.values.compactMap { $0["operationId"] } } }
        #expect(Set(ids.map { "\($0)" }).count == ids.count)
    }
}
