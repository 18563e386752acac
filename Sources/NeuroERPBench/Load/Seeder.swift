import Foundation

/// `neuroerp-bench load seed`: a tenant with the data an office day works on, made through the
/// public API as an import would: partners, articles with one released and stocked batch each,
/// a warehouse, and users who log in. Writes the plan the load runs read.
enum Seeder {
    static let userPassword = "bench-passwort-123"

    static func run(_ options: LoadOptions) async throws {
        let host = try options.text("host", default: "127.0.0.1")
        let port = try options.count("port", default: 8080)
        let articles = max(1, try options.count("articles", default: 2_000))
        let partners = max(2, try options.count("partners", default: 1_000))
        let users = max(1, try options.count("users", default: 200))
        let planPath = try options.text("plan")
        let tag = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)
        let started = Date()

        let admin = try await LoadConnection.connect(host: host, port: port)
        let login = try await JSONAPI(host: host, port: port).call(admin, .POST, "/api/v1/auth/login", [
            "email": try options.text("email", default: "admin@demo.local"), "password": try options.text("password", default: "demo-passwort-123"),
        ])
        let api = JSONAPI(host: host, port: port, token: try string(login, "access_token"))
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))

        progress("warehouse with 10 bins")
        let warehouse = try await api.call(admin, .POST, "/api/v1/warehouses", [
            "code": "BENCH-\(tag)", "name": "Lager \(tag)", "locations": (1...10).map { ["code": "L\($0)", "kind": "bin"] },
        ])
        let locations = try (warehouse["locations"] as? [[String: Any]] ?? []).map { try string($0, "id") }

        progress("\(partners) partners")
        let partnerIDs = try await api.each("partners", Array(0..<partners)) { connection, index in
            // One in five a supplier, the rest customers.
            try string(try await api.call(connection, .POST, "/api/v1/partners", [
                "name": "Partner \(tag)-\(index)", "roles": [index % 5 == 0 ? "supplier" : "customer"],
                "address": ["country": "DE", "city": "Hof \(index)"],
            ]), "id")
        }
        let suppliers = partnerIDs.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
        let customers = partnerIDs.enumerated().filter { $0.offset % 5 != 0 }.map(\.element)

        progress("\(articles) articles, each with a batch")
        let categories = ["seed", "fertiliser", "feed", "grain"]
        let pairs = try await api.each("articles", Array(0..<articles)) { connection, index in
            let article = try string(try await api.call(connection, .POST, "/api/v1/articles", [
                "sku": "\(tag)-\(index)", "name": "Artikel \(index)", "category": categories[index % categories.count],
                "baseUnit": "kg", "taxCode": "DE7",
            ]), "id")
            let batch = try string(try await api.call(connection, .POST, "/api/v1/batches", ["articleId": article, "batchNumber": "B-\(tag)-\(index)"]), "id")
            return (article, batch)
        }

        progress("releasing the batches")
        _ = try await api.each("releases", pairs) { connection, pair in
            // In split mode the compliance service learns of a batch through an event: wait for it.
            for attempt in 0..<100 {
                let (status, body) = try await api.send(connection, .POST, "/api/v1/compliance/batches/\(pair.1)/status", ["status": "released", "reason": "bench seed"])
                if status == 200 || status == 201 { return }
                guard status == 404, attempt < 99 else { throw BenchFailure("releasing batch \(pair.1) answered \(status): \(String(decoding: body, as: UTF8.self))") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        progress("stock: purchases of every batch")
        let stocked = pairs.enumerated().map { LoadPlan.StockedBatch(article: $0.element.0, batch: $0.element.1, location: locations[$0.offset % locations.count]) }
        let receipts = stride(from: 0, to: stocked.count, by: 500).map { Array(stocked[$0..<min($0 + 500, stocked.count)]) }
        _ = try await api.each("purchases", Array(receipts.enumerated()), width: 2) { connection, receipt in
            _ = try await api.call(connection, .POST, "/api/v1/transactions", [
                "kind": "purchase", "partnerId": suppliers[receipt.offset % suppliers.count], "date": today,
                "items": receipt.element.map { ["articleId": $0.article, "batchId": $0.batch, "locationId": $0.location, "quantity": "10000000", "unitPrice": "0.61"] },
            ])
        }

        progress("\(users) users, logged in")
        let tokens = try await api.each("users", Array(0..<users), width: 8) { connection, index in
            let email = "nutzer-\(index)-\(tag)@bench.local"
            _ = try await api.call(connection, .POST, "/api/v1/users", [
                "email": email, "name": "Nutzer \(index)", "roles": ["sales", "accounting"], "password": userPassword,
            ])
            let session = try await JSONAPI(host: host, port: port).call(connection, .POST, "/api/v1/auth/login", ["email": email, "password": userPassword])
            return try string(session, "access_token")
        }
        await admin.close()
        try LoadPlan(
            host: host, port: port, date: today, fiscalYear: Int(today.prefix(4))!, tokens: tokens, customers: customers, stocked: stocked, tag: tag
        ).write(planPath)
        let seconds = Date().timeIntervalSince(started)
        print(String(decoding: try JSONSerialization.data(withJSONObject: [
            "articles": articles, "batches": articles, "partners": partners, "users": users, "seconds": seconds,
        ], options: [.sortedKeys]), as: UTF8.self))
    }

    private static func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else { throw BenchFailure("the answer has no \(key): \(object)") }
        return value
    }

    private static func progress(_ step: String) {
        FileHandle.standardError.write(Data("seeding: \(step)\n".utf8))
    }
}
