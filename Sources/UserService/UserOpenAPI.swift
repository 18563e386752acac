import ServiceRuntime

/// The users service's part of `/openapi.json`.
enum UserOpenAPI {
    static let idParameter: JSONValue = ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
    static let pageParameters: [JSONValue] = [
        ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 500, "default": 50]],
        ["name": "cursor", "in": "query", "schema": ["type": "string", "minLength": 1, "maxLength": 512]],
    ]

    static let email: JSONValue = ["type": "string", "maxLength": 254, "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"]
    static let name: JSONValue = ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"]
    static var locale: JSONValue { ["type": "string", "enum": .array(UserValidation.locales.sorted().map(JSONValue.string))] }
    static var roles: JSONValue {
        ["type": "array", "uniqueItems": true, "items": ["type": "string", "enum": .array(Role.all.map { .string($0.name) })]]
    }

    /// A field of a change request: absent or `null` leaves the value as it is.
    static func unchangedIfNull(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }
    static let password: JSONValue = ["type": "string", "minLength": 12, "maxLength": 128]

    static var fragment: OpenAPIFragment {
        var fragment = OpenAPIFragment()
        fragment.schemas["User"] = [
            "type": "object",
            "required": ["id", "tenantId", "email", "name", "locale", "status", "roles", "createdAt", "updatedAt"],
            "properties": [
                "id": ["type": "string", "format": "uuid"], "tenantId": ["type": "string", "format": "uuid"],
                "email": ["type": "string"], "name": ["type": "string"], "locale": ["type": "string"],
                "status": ["type": "string", "enum": ["active", "locked", "disabled"]],
                "roles": ["type": "array", "items": ["type": "string"]],
                "createdAt": ["type": "string", "format": "date-time"], "updatedAt": ["type": "string", "format": "date-time"],
            ],
        ]
        fragment.schemas["UserChange"] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "name": unchangedIfNull(name), "locale": unchangedIfNull(locale),
                "status": unchangedIfNull(["type": "string", "enum": ["active", "locked", "disabled"]]),
            ],
        ]
        fragment.schemas["ProfileChange"] = [
            "type": "object", "additionalProperties": false,
            "properties": ["name": unchangedIfNull(name), "locale": unchangedIfNull(locale)],
        ]
        let user = OpenAPIFragment.ref("User")
        let userPage: JSONValue = [
            "type": "object", "required": ["data", "nextCursor"],
            "properties": ["data": ["type": "array", "items": user], "nextCursor": ["type": ["string", "null"]]],
        ]
        fragment.add(
            "GET", "/api/v1/users", id: "listUsers", summary: "The tenant's users (users.read)", tag: "users",
            parameters: pageParameters, responses: ["200": OpenAPIFragment.jsonResponse("A page of users", schema: userPage)])
        fragment.add(
            "POST", "/api/v1/users", id: "createUser", summary: "Create a user with roles and an initial password (users.write)",
            tag: "users",
            requestSchema: [
                "type": "object", "required": ["email", "name", "roles", "password"],
                "properties": [
                    "email": email, "name": name, "locale": unchangedIfNull(locale), "roles": roles, "password": password,
                ],
            ],
            responses: ["201": OpenAPIFragment.jsonResponse("The new user", schema: user)])
        fragment.add(
            "GET", "/api/v1/users/me", id: "getMyProfile", summary: "The caller's profile", tag: "users",
            responses: ["200": OpenAPIFragment.jsonResponse("The profile", schema: user)])
        fragment.add(
            "PATCH", "/api/v1/users/me", id: "updateMyProfile", summary: "Change the caller's name or locale", tag: "users",
            requestSchema: OpenAPIFragment.ref("ProfileChange"),
            responses: ["200": OpenAPIFragment.jsonResponse("The profile", schema: user)])
        fragment.add(
            "GET", "/api/v1/users/{id}", id: "getUser", summary: "One user of the tenant (users.read)", tag: "users",
            parameters: [idParameter], responses: ["200": OpenAPIFragment.jsonResponse("The user", schema: user)])
        fragment.add(
            "PATCH", "/api/v1/users/{id}", id: "updateUser", summary: "Change a user's name, locale or status (users.write)",
            tag: "users", parameters: [idParameter], requestSchema: OpenAPIFragment.ref("UserChange"),
            responses: ["200": OpenAPIFragment.jsonResponse("The user", schema: user)])
        fragment.add(
            "PUT", "/api/v1/users/{id}/roles", id: "setUserRoles", summary: "Replace a user's roles (users.write)", tag: "users",
            parameters: [idParameter],
            requestSchema: ["type": "object", "required": ["roles"], "properties": ["roles": roles]],
            responses: ["200": OpenAPIFragment.jsonResponse("The user", schema: user)])
        fragment.add(
            "GET", "/api/v1/roles", id: "listRoles", summary: "The roles and the permissions each grants", tag: "users",
            responses: ["200": OpenAPIFragment.jsonResponse("The roles", schema: ["type": "object"])])
        fragment.add(
            "GET", "/api/v1/tenants/current", id: "getCurrentTenant", summary: "The caller's tenant (tenant.read)", tag: "users",
            responses: ["200": OpenAPIFragment.jsonResponse("The tenant", schema: ["type": "object"])])
        return fragment
    }
}
