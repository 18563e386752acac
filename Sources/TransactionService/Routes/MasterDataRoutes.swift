import ERPKernel
import Foundation
import Hummingbird
import Platform
import ServiceRuntime

extension TransactionServiceModule {
    /// How long the gateway may answer the article catalogue and the warehouses from its cache;
    /// their change events drop the entries at once, this bounds a missed event.
    static let catalogueGatewayMaxAge = 30

    func addMasterDataRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/articles") { request, context in
            let identity = try context.require(.masterDataRead)
            let category = try request.choice("category", ArticleCategory.self)
            return try Response.json(
                try await masterData.page(
                    Article.self, in: .articles, tenant: identity.tenantID,
                    filters: category.map { [("category", .text($0.rawValue))] } ?? [], page: try request.page()),
                etagFor: request, gatewayMaxAgeSeconds: Self.catalogueGatewayMaxAge)
        }
        router.post("/api/v1/articles", use: createArticle)
        router.get("/api/v1/articles/{id}") { request, context in
            let identity = try context.require(.masterDataRead)
            return try Response.json(
                try await existing(Article.self, .articles, identity, context), etagFor: request, gatewayMaxAgeSeconds: Self.catalogueGatewayMaxAge)
        }
        router.patch("/api/v1/articles/{id}") { request, context in
            let identity = try context.require(.masterDataWrite)
            var request = request
            let change = try await request.decodeJSON(Strict<ArticleChangeRequest>.self, context: context).value
            var article = try await existing(Article.self, .articles, identity, context)
            let before = article
            if let name = change.name { article.name = name }
            if let taxCode = change.taxCode { article.taxCode = taxCode }
            if let number = change.psmApprovalNumber { article.psmApprovalNumber = number }
            if let expiry = change.psmApprovalExpiresOn { article.psmApprovalExpiresOn = expiry }
            if let active = change.active { article.active = active }
            let changed = NewArticleRequest(
                sku: article.sku, name: article.name, category: article.category, baseUnit: article.baseUnit, taxCode: article.taxCode,
                psmApprovalNumber: article.psmApprovalNumber, psmApprovalExpiresOn: article.psmApprovalExpiresOn)
            try Check.fail(Self.findings(changed))
            try Check.refuse(Self.approvalFindings(changed))
            guard article != before else { return try Response.json(article) }
            article.version += 1
            article.updatedAt = Date.nowInWholeSeconds
            let replaced = try await masterData.replace(
                .articles, tenant: identity.tenantID, id: article.id, columns: ["name": .text(article.name)], document: article,
                expectedVersion: before.version, events: [Self.changed("article.changed", article.id, article, before: before, identity, context)])
            guard replaced else { throw Problem.conflict("article_changed_concurrently", "The article changed meanwhile; read it again and retry.") }
            return try Response.json(article)
        }

        router.get("/api/v1/batches") { request, context in
            let identity = try context.require(.masterDataRead)
            let article = try request.entityID(query: "articleId")
            return try Response.json(
                try await masterData.page(
                    Batch.self, in: .batches, tenant: identity.tenantID,
                    filters: article.map { [("article_id", .text($0.description))] } ?? [], page: try request.page()),
                etagFor: request)
        }
        router.post("/api/v1/batches", use: createBatch)
        router.get("/api/v1/batches/{id}") { request, context in
            let identity = try context.require(.masterDataRead)
            return try Response.json(try await existing(Batch.self, .batches, identity, context), etagFor: request)
        }

        router.get("/api/v1/partners") { request, context in
            let identity = try context.require(.masterDataRead)
            return try Response.json(
                try await masterData.page(Partner.self, in: .partners, tenant: identity.tenantID, filters: [], page: try request.page()),
                etagFor: request)
        }
        router.post("/api/v1/partners", use: createPartner)
        router.get("/api/v1/partners/{id}") { request, context in
            let identity = try context.require(.masterDataRead)
            return try Response.json(try await existing(Partner.self, .partners, identity, context), etagFor: request)
        }
        router.patch("/api/v1/partners/{id}", use: updatePartner)

        router.get("/api/v1/warehouses") { request, context in
            let identity = try context.require(.masterDataRead)
            return try Response.json(
                try await masterData.page(Warehouse.self, in: .warehouses, tenant: identity.tenantID, filters: [], page: try request.page()),
                etagFor: request, gatewayMaxAgeSeconds: Self.catalogueGatewayMaxAge)
        }
        router.post("/api/v1/warehouses", use: createWarehouse)
        router.get("/api/v1/warehouses/{id}") { request, context in
            let identity = try context.require(.masterDataRead)
            return try Response.json(
                try await existing(Warehouse.self, .warehouses, identity, context), etagFor: request,
                gatewayMaxAgeSeconds: Self.catalogueGatewayMaxAge)
        }
    }

    func createArticle(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.masterDataWrite)
        var request = request
        let (input, body) = try await request.strictBody(NewArticleRequest.self, context: context)
        try Check.fail(Self.findings(input))
        try Check.refuse(Self.approvalFindings(input))
        return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
            let now = Date.nowInWholeSeconds
            let article = Article(
                id: .generate(), sku: input.sku, name: input.name, category: input.category, baseUnit: input.baseUnit,
                taxCode: input.taxCode, psmApprovalNumber: input.psmApprovalNumber, psmApprovalExpiresOn: input.psmApprovalExpiresOn,
                active: true, createdAt: now, updatedAt: now, version: 1)
            let response = try StoredResponse(status: .created, article)
            try await masterData.insert(
                .articles, tenant: identity.tenantID, id: article.id,
                columns: ["sku": .text(article.sku), "name": .text(article.name), "category": .text(article.category.rawValue)],
                document: article, events: [Self.changed("article.created", article.id, article, identity, context)],
                also: Self.recording(key, response))
            return response
        }
    }

    func createBatch(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.masterDataWrite)
        var request = request
        let (input, body) = try await request.strictBody(NewBatchRequest.self, context: context)
        try Check.fail(
            Check.code(input.batchNumber, "batchNumber") + Check.text(input.supplierBatchRef, "supplierBatchRef", length: 1...64, required: false)
                + Check.date(input.producedOn, "producedOn") + Check.date(input.expiresOn, "expiresOn")
                + ((input.predecessors?.count ?? 0) > 100 ? [InvalidParam(name: "predecessors", reason: "at most 100")] : []))
        guard try await masterData.find(Article.self, in: .articles, tenant: identity.tenantID, id: input.articleId) != nil else {
            throw Check.refusal([InvalidParam(name: "articleId", reason: "no such article")])
        }
        let predecessors = Set(input.predecessors ?? [])
        let known = try await masterData.find(Batch.self, in: .batches, tenant: identity.tenantID, ids: predecessors)
        let unknown = predecessors.subtracting(known.keys)
        try Check.refuse(unknown.sorted { $0.description < $1.description }.map { InvalidParam(name: "predecessors", reason: "no such batch \($0)") })
        return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
            let batch = Batch(
                id: .generate(), articleId: input.articleId, batchNumber: input.batchNumber, supplierBatchRef: input.supplierBatchRef,
                producedOn: input.producedOn, expiresOn: input.expiresOn, predecessors: input.predecessors ?? [],
                createdAt: Date.nowInWholeSeconds)
            let response = try StoredResponse(status: .created, batch)
            try await masterData.insert(
                .batches, tenant: identity.tenantID, id: batch.id,
                columns: ["article_id": .text(batch.articleId.description), "batch_number": .text(batch.batchNumber)],
                document: batch, events: [Self.changed("batch.created", batch.id, batch, identity, context)],
                also: Self.recording(key, response))
            return response
        }
    }

    func createPartner(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.masterDataWrite)
        var request = request
        let (input, body) = try await request.strictBody(NewPartnerRequest.self, context: context)
        try Check.fail(Self.findings(input))
        return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
            let now = Date.nowInWholeSeconds
            let partner = Partner(
                id: .generate(), name: input.name, roles: Array(Set(input.roles)).sorted { $0.rawValue < $1.rawValue },
                address: input.address.value.address, vatId: input.vatId, paymentTermsDays: input.paymentTermsDays ?? 30,
                creditLimitMinor: input.creditLimitMinor, createdAt: now, updatedAt: now, version: 1)
            let response = try StoredResponse(status: .created, partner)
            try await masterData.insert(
                .partners, tenant: identity.tenantID, id: partner.id, columns: ["name": .text(partner.name)], document: partner,
                events: [Self.changed("partner.created", partner.id, partner, identity, context)],
                also: Self.recording(key, response))
            return response
        }
    }

    func updatePartner(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.masterDataWrite)
        var request = request
        let change = try await request.decodeJSON(Strict<PartnerChangeRequest>.self, context: context).value
        var partner = try await existing(Partner.self, .partners, identity, context)
        let before = partner
        let address = change.address?.value
        let merged = NewPartnerRequest(
            name: change.name ?? partner.name, roles: change.roles ?? partner.roles,
            address: Strict(value: address ?? AddressInput(
                street: partner.address.street, postalCode: partner.address.postalCode, city: partner.address.city,
                country: partner.address.country)), vatId: change.vatId ?? partner.vatId,
            paymentTermsDays: change.paymentTermsDays ?? partner.paymentTermsDays,
            creditLimitMinor: change.creditLimitMinor ?? partner.creditLimitMinor)
        try Check.fail(Self.findings(merged))
        partner.name = merged.name
        partner.roles = Array(Set(merged.roles)).sorted { $0.rawValue < $1.rawValue }
        partner.address = merged.address.value.address
        partner.vatId = merged.vatId
        partner.paymentTermsDays = merged.paymentTermsDays ?? partner.paymentTermsDays
        partner.creditLimitMinor = merged.creditLimitMinor
        guard partner != before else { return try Response.json(partner) }
        partner.version += 1
        partner.updatedAt = Date.nowInWholeSeconds
        let replaced = try await masterData.replace(
            .partners, tenant: identity.tenantID, id: partner.id, columns: ["name": .text(partner.name)], document: partner,
            expectedVersion: before.version, events: [Self.changed("partner.changed", partner.id, partner, before: before, identity, context)])
        guard replaced else { throw Problem.conflict("partner_changed_concurrently", "The partner changed meanwhile; read it again and retry.") }
        return try Response.json(partner)
    }

    func createWarehouse(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.masterDataWrite)
        var request = request
        let (input, body) = try await request.strictBody(NewWarehouseRequest.self, context: context)
        var findings = Check.code(input.code, "code") + Check.text(input.name, "name", length: 1...200)
        if !(1...500).contains(input.locations.count) { findings.append(InvalidParam(name: "locations", reason: "1 to 500 locations")) }
        for (index, location) in input.locations.enumerated() {
            findings += Check.code(location.value.code, "locations[\(index)].code")
            if let capacity = location.value.capacity, Quantity.parse(capacity) == nil {
                findings.append(InvalidParam(name: "locations[\(index)].capacity", reason: "a decimal number as text"))
            }
        }
        try Check.fail(findings)
        if Set(input.locations.map(\.value.code)).count != input.locations.count {
            try Check.refuse([InvalidParam(name: "locations", reason: "location codes must differ")])
        }
        return try await idempotent(request, body: body, tenant: identity.tenantID) { key in
            let warehouse = Warehouse(
                id: .generate(), code: input.code, name: input.name,
                locations: input.locations.map { StorageLocation(id: .generate(), code: $0.value.code, kind: $0.value.kind, capacity: $0.value.capacity) },
                createdAt: Date.nowInWholeSeconds)
            let response = try StoredResponse(status: .created, warehouse)
            let tenant = identity.tenantID
            try await masterData.insert(
                .warehouses, tenant: tenant, id: warehouse.id, columns: ["code": .text(warehouse.code)], document: warehouse,
                events: [Self.changed("warehouse.created", warehouse.id, warehouse, identity, context)]
            ) { tx in
                for location in warehouse.locations {
                    try tx.execute(
                        "INSERT INTO storage_locations (tenant_id, id, warehouse_id, code) VALUES (?, ?, ?, ?)",
                        [.text(tenant.description), .text(location.id.description), .text(warehouse.id.description), .text(location.code)])
                }
                if let key { try IdempotencyKeys.record(key, response, in: tx) }
            }
            return response
        }
    }

    func existing<T: Decodable & Sendable>(_ type: T.Type, _ table: MasterDataStore.Table, _ identity: Identity, _ context: ServiceContext) async throws -> T {
        let id = try context.id()
        guard let record = try await masterData.cachedFind(T.self, in: table, tenant: identity.tenantID, id: id) else {
            throw Problem.notFound("There is no \(table.rawValue.dropLast()) \(id) in this tenant.")
        }
        return record
    }

    /// `record` is the master data as it is now; a change also carries it as it was, so the
    /// audit trail can show what changed from what to what.
    static func changed(
        _ type: String, _ id: EntityID, _ record: some Encodable, before: (any Encodable)? = nil, _ identity: Identity, _ context: ServiceContext
    ) -> EventEnvelope {
        func json(_ value: any Encodable) -> JSONValue {
            (try? JSONCoding.decoder.decode(JSONValue.self, from: JSONCoding.encoder.encode(value))) ?? .null
        }
        var fields: [String: JSONValue] = ["actor": .string(identity.subject.description), "record": json(record)]
        if let before { fields["before"] = json(before) }
        return TransactionEvents.make(type, tenant: identity.tenantID, subject: id, trace: context.trace, fields: fields)
    }

    static func findings(_ input: NewArticleRequest) -> [InvalidParam] {
        Check.code(input.sku, "sku") + Check.text(input.name, "name", length: 1...200) + Check.taxCode(input.taxCode, "taxCode")
            + Check.date(input.psmApprovalExpiresOn, "psmApprovalExpiresOn")
            + Check.text(input.psmApprovalNumber, "psmApprovalNumber", length: 1...32, required: false)
    }

    /// A crop-protection product needs its approval; nothing else has one.
    static func approvalFindings(_ input: NewArticleRequest) -> [InvalidParam] {
        var findings: [InvalidParam] = []
        if input.category == .psm {
            if input.psmApprovalNumber == nil { findings.append(InvalidParam(name: "psmApprovalNumber", reason: "required for a crop-protection product")) }
            if input.psmApprovalExpiresOn == nil { findings.append(InvalidParam(name: "psmApprovalExpiresOn", reason: "required for a crop-protection product")) }
        } else if input.psmApprovalNumber != nil || input.psmApprovalExpiresOn != nil {
            findings.append(InvalidParam(name: "category", reason: "only a crop-protection product (psm) has an approval"))
        }
        return findings
    }

    static func findings(_ input: NewPartnerRequest) -> [InvalidParam] {
        let address = input.address.value
        var findings = Check.text(input.name, "name", length: 1...200)
            + Check.text(address.street, "address.street", length: 1...200, required: false)
            + Check.text(address.city, "address.city", length: 1...100, required: false)
            + Check.text(address.postalCode, "address.postalCode", length: 1...16, required: false)
        if input.roles.isEmpty { findings.append(InvalidParam(name: "roles", reason: "customer, supplier or both")) }
        if address.country.count != 2 || !address.country.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            findings.append(InvalidParam(name: "address.country", reason: "an ISO 3166 alpha-2 code such as DE"))
        }
        if let vat = input.vatId, !(4...15).contains(vat.count) || !vat.prefix(2).allSatisfy({ $0.isASCII && $0.isUppercase })
            || !vat.dropFirst(2).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        {
            findings.append(InvalidParam(name: "vatId", reason: "a VAT ID such as DE123456789"))
        }
        if let days = input.paymentTermsDays, !(0...365).contains(days) { findings.append(InvalidParam(name: "paymentTermsDays", reason: "0 to 365")) }
        if let limit = input.creditLimitMinor, !(0...LedgerPostings.maximumAmountMinor).contains(limit) {
            findings.append(InvalidParam(name: "creditLimitMinor", reason: "0 to \(LedgerPostings.maximumAmountMinor) cents"))
        }
        return findings
    }
}

extension TransactionServiceModule {
    /// Records the response with the write, when the request had an idempotency key.
    static func recording(_ key: IdempotencyKey?, _ response: StoredResponse) -> (@Sendable (any SQLExecutor) throws -> Void)? {
        guard let key else { return nil }
        return { tx in try IdempotencyKeys.record(key, response, in: tx) }
    }
}
