import ServiceRuntime

/// Articles, batches, partners and warehouses in the OpenAPI fragment.
extension TransactionOpenAPI {
    static func addArticlesAndBatches(to fragment: inout OpenAPIFragment) {
        fragment.schemas["Article"] = object(
            required: ["id", "sku", "name", "category", "baseUnit", "taxCode", "active", "createdAt", "updatedAt", "version"],
            [
                "id": uuid, "sku": string, "name": string, "category": values(ArticleCategory.self), "baseUnit": values(BaseUnit.self),
                "taxCode": string, "psmApprovalNumber": string, "psmApprovalExpiresOn": dateText, "active": boolean,
                "createdAt": dateTime, "updatedAt": dateTime, "version": integer,
            ])
        let approvalNumber = text(1...32)
        let otherCategories = JSONValue.array(ArticleCategory.allCases.filter { $0 != .psm }.map { JSONValue.string($0.rawValue) })
        let newArticle = strict(
            required: ["sku", "name", "category", "baseUnit", "taxCode"],
            [
                "sku": code, "name": text(1...200), "category": values(ArticleCategory.self), "baseUnit": values(BaseUnit.self),
                "taxCode": taxCode, "psmApprovalNumber": orNull(approvalNumber), "psmApprovalExpiresOn": orNull(date),
            ],
            // A crop-protection product (psm) needs its BVL approval; any other article has none.
            anyOf: [
                [
                    "required": ["psmApprovalNumber", "psmApprovalExpiresOn"],
                    "properties": ["category": ["const": "psm"], "psmApprovalNumber": approvalNumber, "psmApprovalExpiresOn": date],
                ],
                [
                    "properties": [
                        "category": ["enum": otherCategories], "psmApprovalNumber": ["type": "null"], "psmApprovalExpiresOn": ["type": "null"],
                    ]
                ],
            ])
        fragment.schemas["ArticleChange"] = strict([
            "name": orNull(text(1...200)), "taxCode": orNull(taxCode), "psmApprovalNumber": orNull(approvalNumber),
            "psmApprovalExpiresOn": orNull(date), "active": orNull(boolean),
        ])
        let article = OpenAPIFragment.ref("Article")
        fragment.add(
            "GET", "/api/v1/articles", id: "listArticles", summary: "The tenant's articles, optionally of one category (masterdata.read)",
            tag: "masterdata", parameters: pageParameters + [query("category", values(ArticleCategory.self))],
            responses: read("A page of articles", page(of: article)))
        fragment.add(
            "POST", "/api/v1/articles", id: "createArticle",
            summary: "Create an article; a crop-protection product (psm) needs its approval number and expiry (masterdata.write)",
            tag: "masterdata", parameters: [idempotencyKey], requestSchema: newArticle, responses: created("The new article", article))
        fragment.add(
            "GET", "/api/v1/articles/{id}", id: "getArticle", summary: "One article (masterdata.read)", tag: "masterdata",
            parameters: [idParameter], responses: read("The article", article))
        fragment.add(
            "PATCH", "/api/v1/articles/{id}", id: "updateArticle",
            summary: "Change an article's name, tax code, PSM approval or active flag (masterdata.write)", tag: "masterdata",
            parameters: [idParameter], requestSchema: OpenAPIFragment.ref("ArticleChange"), responses: ok("The article", article))

        fragment.schemas["Batch"] = object(
            required: ["id", "articleId", "batchNumber", "predecessors", "createdAt"],
            [
                "id": uuid, "articleId": uuid, "batchNumber": string, "supplierBatchRef": string, "producedOn": dateText,
                "expiresOn": dateText, "predecessors": list(uuid), "createdAt": dateTime,
            ])
        let newBatch = strict(
            required: ["articleId", "batchNumber"],
            [
                "articleId": uuid, "batchNumber": code, "supplierBatchRef": orNull(text(1...64)), "producedOn": orNull(date),
                "expiresOn": orNull(date), "predecessors": orNull(["type": "array", "maxItems": 100, "items": uuid]),
            ])
        let batch = OpenAPIFragment.ref("Batch")
        fragment.add(
            "GET", "/api/v1/batches", id: "listBatches", summary: "Batches, optionally of one article (masterdata.read)",
            tag: "masterdata", parameters: pageParameters + [query("articleId", uuid)], responses: read("A page of batches", page(of: batch)))
        fragment.add(
            "POST", "/api/v1/batches", id: "createBatch",
            summary: "Create a batch of an article, naming the batches it was made from (masterdata.write)", tag: "masterdata",
            parameters: [idempotencyKey], requestSchema: newBatch, responses: created("The new batch", batch))
        fragment.add(
            "GET", "/api/v1/batches/{id}", id: "getBatch", summary: "One batch (masterdata.read)", tag: "masterdata",
            parameters: [idParameter], responses: read("The batch", batch))
    }

    static func addPartnersAndWarehouses(to fragment: inout OpenAPIFragment) {
        fragment.schemas["Partner"] = object(
            required: ["id", "name", "roles", "address", "paymentTermsDays", "createdAt", "updatedAt", "version"],
            [
                "id": uuid, "name": string, "roles": list(values(PartnerRole.self)),
                "address": object(
                    required: ["country"], ["street": string, "postalCode": string, "city": string, "country": string]),
                "vatId": string, "paymentTermsDays": integer, "creditLimitMinor": integer,
                "createdAt": dateTime, "updatedAt": dateTime, "version": integer,
            ])
        let address = strict(
            required: ["country"],
            [
                "street": orNull(text(1...200)), "postalCode": orNull(text(1...16)), "city": orNull(text(1...100)),
                "country": ["type": "string", "pattern": "^[A-Z]{2}$"],
            ])
        // No uniqueItems on roles: the server folds repeated roles into one instead of refusing them.
        let newPartner = strict(
            required: ["name", "roles", "address"],
            [
                "name": text(1...200), "roles": ["type": "array", "minItems": 1, "items": values(PartnerRole.self)],
                "address": address, "vatId": orNull(["type": "string", "pattern": "^[A-Z]{2}[A-Za-z0-9]{2,13}$"]),
                "paymentTermsDays": orNull(["type": "integer", "minimum": 0, "maximum": 365]),
                "creditLimitMinor": orNull(["type": "integer", "minimum": 0, "maximum": maximumAmount]),
            ])
        let partner = OpenAPIFragment.ref("Partner")
        fragment.add(
            "GET", "/api/v1/partners", id: "listPartners", summary: "The tenant's customers and suppliers (masterdata.read)",
            tag: "masterdata", parameters: pageParameters, responses: read("A page of partners", page(of: partner)))
        fragment.add(
            "POST", "/api/v1/partners", id: "createPartner", summary: "Create a customer, a supplier or both (masterdata.write)",
            tag: "masterdata", parameters: [idempotencyKey], requestSchema: newPartner, responses: created("The new partner", partner))
        fragment.add(
            "GET", "/api/v1/partners/{id}", id: "getPartner", summary: "One partner (masterdata.read)", tag: "masterdata",
            parameters: [idParameter], responses: read("The partner", partner))
        fragment.schemas["PartnerChange"] = strict([
            "name": orNull(text(1...200)), "roles": orNull(["type": "array", "minItems": 1, "items": values(PartnerRole.self)]),
            "address": orNull(address), "vatId": orNull(["type": "string", "pattern": "^[A-Z]{2}[A-Za-z0-9]{2,13}$"]),
            "paymentTermsDays": orNull(["type": "integer", "minimum": 0, "maximum": 365]),
            "creditLimitMinor": orNull(["type": "integer", "minimum": 0, "maximum": maximumAmount]),
        ])
        fragment.add(
            "PATCH", "/api/v1/partners/{id}", id: "updatePartner",
            summary: "Change a partner's name, roles, address, VAT ID, payment terms or credit limit (masterdata.write)",
            tag: "masterdata", parameters: [idParameter], requestSchema: OpenAPIFragment.ref("PartnerChange"),
            responses: ok("The partner", partner))

        fragment.schemas["Warehouse"] = object(
            required: ["id", "code", "name", "locations", "createdAt"],
            [
                "id": uuid, "code": string, "name": string, "createdAt": dateTime,
                "locations": list(object(
                    required: ["id", "code", "kind"],
                    ["id": uuid, "code": string, "kind": values(LocationKind.self), "capacity": string])),
            ])
        let location = strict(required: ["code", "kind"], ["code": code, "kind": values(LocationKind.self), "capacity": orNull(quantity)])
        let newWarehouse = strict(
            required: ["code", "name", "locations"],
            ["code": code, "name": text(1...200), "locations": ["type": "array", "minItems": 1, "maxItems": 500, "items": location]])
        let warehouse = OpenAPIFragment.ref("Warehouse")
        fragment.add(
            "GET", "/api/v1/warehouses", id: "listWarehouses", summary: "The tenant's warehouses and their storage locations (masterdata.read)",
            tag: "masterdata", parameters: pageParameters, responses: read("A page of warehouses", page(of: warehouse)))
        fragment.add(
            "POST", "/api/v1/warehouses", id: "createWarehouse",
            summary: "Create a warehouse with its storage locations; location codes must differ (masterdata.write)", tag: "masterdata",
            parameters: [idempotencyKey], requestSchema: newWarehouse, responses: created("The new warehouse", warehouse))
        fragment.add(
            "GET", "/api/v1/warehouses/{id}", id: "getWarehouse", summary: "One warehouse (masterdata.read)", tag: "masterdata",
            parameters: [idParameter], responses: read("The warehouse", warehouse))
    }
}
