import ERPKernel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Platform
import ServiceRuntime
import Testing

/// The global error handler and correlation, on a router with a few routes made for the purpose.
@Suite struct ErrorHandlingTests {
    struct Order: Decodable {
        struct Item: Decodable { let sku: String; let quantity: Int }
        let items: [Item]
    }

    struct DatabaseExploded: Error, CustomStringConvertible {
        var description: String { "SELECT secret FROM users -- syntax error" }
    }

    static func app(maximumBodyBytes: Int = 1024, corsOrigins: [String] = []) -> some ApplicationProtocol {
        let router = ServiceRouter.make(
            metrics: MetricsRegistry(), options: .init(maximumBodyBytes: maximumBodyBytes, corsOrigins: corsOrigins)
        ) { router in
            router.post("/api/v1/orders") { request, context in
                var request = request
                let order = try await request.decodeJSON(Order.self, context: context)
                return try Response.json(["items": order.items.count], status: .created)
            }
            router.get("/api/v1/orders/{id}") { _, _ -> Response in throw DatabaseExploded() }
            router.get("/api/v1/trace") { _, context in try Response.json(["traceId": context.trace.traceID]) }
            router.get("/api/v1/deadline") { _, _ in
                try Response.json(["remainingMs": RequestDeadline.current.map { ($0 - .now).milliseconds } ?? -1])
            }
        }
        return Application(router: router)
    }

    static func post(_ client: some TestClientProtocol, _ body: String, contentType: String = "application/json") async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/orders", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body))
    }

    @Test func anUnknownRouteIsA404Problem() async throws {
        try await Self.app().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/nothing", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try response.decode(ProblemBody.self)
            #expect(problem.code == "route_not_found")
            #expect(problem.category == "not_found")
            #expect(problem.instance == "/api/v1/nothing")
        }
    }

    @Test func everyAnswerCarriesTheSecurityHeadersErrorsToo() async throws {
        try await Self.app().test(.router) { client in
            let answers = [
                try await client.execute(uri: "/api/v1/trace", method: .get),
                try await client.execute(uri: "/api/v1/nothing", method: .get),
                try await client.execute(uri: "/api/v1/orders/1", method: .get),
                try await Self.post(client, String(repeating: "x", count: 2_000)),
            ]
            #expect(answers.map(\.status.code) == [200, 404, 500, 413])
            for answer in answers {
                #expect(answer.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=31536000; includeSubDomains")
                #expect(answer.headers[HTTPField.Name("Content-Security-Policy")!] == "default-src 'none'; frame-ancestors 'none'")
                #expect(answer.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(answer.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(answer.headers[HTTPField.Name("Permissions-Policy")!]?.contains("camera=()") == true)
            }
        }
    }

    @Test func anAllowedOriginGetsItsPreflightAndCORSFieldsOnEveryAnswerOthersNone() async throws {
        try await Self.app(corsOrigins: ["https://app.landhandel.example"]).test(.router) { client in
            let preflight = try await client.execute(
                uri: "/api/v1/orders", method: .options,
                headers: [.origin: "https://app.landhandel.example", .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://app.landhandel.example")
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Idempotency-Key") == true)
            #expect(preflight.headers[.accessControlMaxAge] == "600")
            #expect(preflight.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "security headers on the preflight too")

            for uri in ["/api/v1/trace", "/api/v1/nothing", "/api/v1/orders/1"] {
                let answer = try await client.execute(uri: uri, method: .get, headers: [.origin: "https://app.landhandel.example"])
                #expect(answer.headers[.accessControlAllowOrigin] == "https://app.landhandel.example", "\(uri) \(answer.status)")
                #expect(answer.headers[.accessControlExposeHeaders]?.contains("Retry-After") == true)
                #expect(answer.headers[.vary] == "Origin")
            }
            let stranger = try await client.execute(
                uri: "/api/v1/orders", method: .options, headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(stranger.headers[.accessControlAllowOrigin] == nil)
            #expect(stranger.status != .noContent)
        }
    }

    @Test func aDeadlineHeaderBoundsTheRequestAndABadOneIsA400() async throws {
        try await Self.app().test(.router) { client in
            let bounded = try await client.execute(uri: "/api/v1/deadline", method: .get, headers: [.requestDeadline: "5000"])
            let remaining = try #require(try JSONSerialization.jsonObject(with: Data(bounded.body.readableBytesView)) as? [String: Int])["remainingMs"]
            #expect((1...5_000).contains(remaining ?? 0), "\(String(describing: remaining))")
            let unbounded = try await client.execute(uri: "/api/v1/deadline", method: .get)
            #expect(unbounded.body.readableBytesView.elementsEqual(#"{"remainingMs":-1}"#.utf8))
            let bad = try await client.execute(uri: "/api/v1/deadline", method: .get, headers: [.requestDeadline: "soon"])
            #expect(bad.status == .badRequest)
            #expect(try bad.decode(ProblemBody.self).detail?.contains("X-NeuroERP-Deadline-Ms") == true)
        }
    }

    @Test func aWrongMethodIsA405NamingTheAllowedOnes() async throws {
        try await Self.app().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/orders", method: .delete)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(try response.decode(ProblemBody.self).code == "method_not_allowed")
        }
    }

    @Test func malformedJSONIsA400NamingWhere() async throws {
        try await Self.app().test(.router) { client in
            let response = try await Self.post(client, #"{"items": [{"sku": "W-1", "quantity": 1},]"#)
            #expect(response.status == .badRequest)
            let problem = try response.decode(ProblemBody.self)
            #expect(problem.code == "malformed_json")
            #expect(problem.category == "validation")
            #expect(problem.detail?.isEmpty == false)
        }
    }

    @Test func aWrongTypeIsA400NamingTheField() async throws {
        try await Self.app().test(.router) { client in
            let response = try await Self.post(client, #"{"items": [{"sku": "W-1", "quantity": 1}, {"sku": "W-2", "quantity": "two"}]}"#)
            #expect(response.status == .badRequest)
            let problem = try response.decode(ProblemBody.self)
            #expect(problem.invalidParams?.first?.name == "items[1].quantity")
            #expect(problem.detail == "items[1].quantity must be an integer.")
        }
    }

    @Test func aMissingFieldIsNamed() async throws {
        try await Self.app().test(.router) { client in
            let response = try await Self.post(client, #"{"items": [{"quantity": 1}]}"#)
            #expect(try response.decode(ProblemBody.self).invalidParams?.first?.name == "items[0].sku")
        }
    }

    @Test func aBodyOverTheLimitIsA413() async throws {
        try await Self.app(maximumBodyBytes: 64).test(.router) { client in
            let response = try await Self.post(client, String(repeating: " ", count: 65) + "{}")
            #expect(response.status == .contentTooLarge)
            #expect(try response.decode(ProblemBody.self).code == "payload_too_large")
        }
    }

    @Test func aBodyThatIsNotJSONIsA415() async throws {
        try await Self.app().test(.router) { client in
            let response = try await Self.post(client, "items=1", contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .unsupportedMediaType)
        }
    }

    @Test func anUnexpectedErrorIsAGeneric500ThatLeaksNothing() async throws {
        try await Self.app().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/orders/1", method: .get)
            #expect(response.status == .internalServerError)
            #expect(!response.text.contains("SELECT"))
            let problem = try response.decode(ProblemBody.self)
            #expect(problem.code == "internal_error")
            #expect(problem.severity == "critical")
        }
    }

    @Test func theCallersTraceIsKeptAndReturned() async throws {
        try await Self.app().test(.router) { client in
            let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            let response = try await client.execute(
                uri: "/api/v1/trace", method: .get,
                headers: [HTTPField.Name("traceparent")!: incoming, HTTPField.Name("X-Request-ID")!: "req-42"])
            #expect(try response.json()["traceId"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
            let returned = try #require(response.headers[HTTPField.Name("traceparent")!].flatMap(TraceContext.init(traceparent:)))
            #expect(returned.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(returned.spanID != "00f067aa0ba902b7")
            #expect(response.headers[HTTPField.Name("X-Request-ID")!] == "req-42")
        }
    }

    @Test func aProblemCarriesTheTraceAsCorrelationID() async throws {
        try await Self.app().test(.router) { client in
            let response = try await client.execute(uri: "/nowhere", method: .get)
            let trace = try #require(response.headers[HTTPField.Name("traceparent")!].flatMap(TraceContext.init(traceparent:)))
            #expect(try response.decode(ProblemBody.self).correlationId == trace.traceID)
        }
    }
}
