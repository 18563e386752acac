import AsyncHTTPClient
import ERPKernel
import Foundation
import Hummingbird
import Mesh
import NIOCore
import Platform
import ServiceRuntime

/// How the services of a process reach each other and check their callers.
extension ProcessAssembly {
    func makeDirectory(
        modules: [any ServiceModule], metrics: MetricsRegistry, httpClient: HTTPClient?, verifier: any CredentialVerifier
    ) -> ServiceDirectory {
        var clients: [ServiceName: any ServiceClient] = [:]
        for module in modules {
            let router = ServiceRouter.make(
                metrics: metrics,
                options: .init(accessLog: false, maximumBodyBytes: configuration.maximumBodyBytes, authentication: verifier)
            ) { module.addRoutes(to: $0) }
            clients[module.name] = LocalServiceClient(service: module.name, router: router, logger: logger)
        }
        if let httpClient {
            for (service, url) in configuration.upstreams where clients[service] == nil {
                clients[service] = ResilientServiceClient(
                    HTTPServiceClient(service: service, baseURL: url, client: httpClient, metrics: metrics),
                    breaker: .init(failureThreshold: configuration.circuitFailures, openDuration: configuration.circuitOpenDuration),
                    metrics: metrics)
            }
        }
        return ServiceDirectory(clients: clients)
    }

    /// Tokens are checked in every service against the auth service's published keys; API keys
    /// are looked up at the auth service.
    func makeVerifier(auth: @escaping @Sendable () -> any ServiceClient) -> any CredentialVerifier {
        let tokens = JWTVerifier {
            let response = try await auth().send(ServiceRequest(path: "/.well-known/jwks.json"), trace: .generate(), timeout: .seconds(2))
            guard response.status == .ok else { throw Problem.upstreamUnavailable("auth", detail: "JWKS answered \(response.status.code)") }
            return String(buffer: response.body)
        }
        let apiKeys = APIKeyVerifier { key in
            let body = try JSONCoding.encoder.encode(["key": key])
            let response = try await auth().send(
                ServiceRequest(
                    method: .post, path: ServiceName.auth.internalPathPrefix + "/api-keys/introspect",
                    headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body)),
                trace: .generate(), timeout: .seconds(2))
            if response.status == .unauthorized { return nil }
            guard response.status == .ok else { throw Problem.upstreamUnavailable("auth", detail: "API key check answered \(response.status.code)") }
            return try JSONCoding.decoder.decode(APIKeyVerifier.Description.self, from: Data(response.body.readableBytesView))
        }
        return CredentialRouter(tokens: tokens, apiKeys: apiKeys)
    }

    /// In split mode the gateway is ready when every configured upstream answers its liveness.
    func upstreamChecks(_ directory: ServiceDirectory) -> [HealthCheck] {
        configuration.upstreams.keys.filter { !configuration.services.contains($0) }.sorted().map { service in
            HealthCheck(name: "upstream:\(service.rawValue)") {
                let response = try await directory.client(for: service).send(
                    ServiceRequest(path: "/health/live"), trace: .generate(), timeout: .seconds(1))
                guard response.status == .ok else { throw Problem.dependencyNotReady([service.rawValue]) }
            }
        }
    }
}
