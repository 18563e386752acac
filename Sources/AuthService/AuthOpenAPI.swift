import ERPKernel
import ServiceRuntime

/// The auth service's part of `/openapi.json`.
enum AuthOpenAPI {
    static var fragment: OpenAPIFragment {
        var fragment = OpenAPIFragment()
        fragment.schemas["TokenResponse"] = [
            "type": "object", "required": ["access_token", "refresh_token", "token_type", "expires_in"],
            "properties": [
                "access_token": ["type": "string"], "refresh_token": ["type": "string"],
                "token_type": ["type": "string", "enum": ["Bearer"]], "expires_in": ["type": "integer"],
            ],
        ]
        let refreshBody: JSONValue = [
            "type": "object", "required": ["refresh_token"], "properties": ["refresh_token": ["type": "string"]],
        ]
        let tokens = OpenAPIFragment.jsonResponse("A new token pair", schema: OpenAPIFragment.ref("TokenResponse"))
        fragment.add(
            "POST", "/api/v1/auth/login", id: "login", summary: "Log in with e-mail and password", tag: "auth",
            requestSchema: [
                "type": "object", "required": ["email", "password"],
                "properties": ["email": ["type": "string"], "password": ["type": "string"]],
            ],
            responses: ["200": OpenAPIFragment.jsonResponse(
                "A token pair, or (with a second factor) a challenge for POST /api/v1/auth/login/mfa",
                schema: ["oneOf": [OpenAPIFragment.ref("TokenResponse"), OpenAPIFragment.ref("MFAChallenge")]])])
        fragment.schemas["MFAChallenge"] = [
            "type": "object", "required": ["mfa_required", "mfa_token", "expires_in"],
            "properties": ["mfa_required": ["type": "boolean", "enum": [true]], "mfa_token": ["type": "string"], "expires_in": ["type": "integer"]],
        ]
        let code: JSONValue = ["type": "object", "required": ["code"], "properties": ["code": ["type": "string", "maxLength": 64]]]
        fragment.add(
            "POST", "/api/v1/auth/login/mfa", id: "loginSecondFactor",
            summary: "Finish a login with a TOTP code or a recovery code", tag: "auth",
            requestSchema: [
                "type": "object", "required": ["mfa_token", "code"],
                "properties": ["mfa_token": ["type": "string"], "code": ["type": "string", "maxLength": 64]],
            ],
            responses: ["200": tokens])
        fragment.add(
            "POST", "/api/v1/auth/mfa/enrol", id: "enrolMFA", summary: "Start TOTP enrolment: a secret and an otpauth URI",
            tag: "auth",
            responses: ["200": OpenAPIFragment.jsonResponse("The secret", schema: [
                "type": "object", "required": ["secret", "otpauthUri"],
                "properties": ["secret": ["type": "string"], "otpauthUri": ["type": "string"]],
            ])])
        fragment.add(
            "POST", "/api/v1/auth/mfa/confirm", id: "confirmMFA",
            summary: "Confirm enrolment with a current code; answers the recovery codes, once", tag: "auth", requestSchema: code,
            responses: ["200": OpenAPIFragment.jsonResponse("Recovery codes", schema: [
                "type": "object", "required": ["recoveryCodes"],
                "properties": ["recoveryCodes": ["type": "array", "items": ["type": "string"]]],
            ])])
        fragment.add(
            "POST", "/api/v1/auth/mfa/disable", id: "disableMFA", summary: "Turn the second factor off (needs a code)", tag: "auth",
            requestSchema: code, responses: ["204": ["description": "Disabled"]])
        fragment.add(
            "POST", "/api/v1/auth/refresh", id: "refreshTokens", summary: "Exchange a refresh token for a new pair (each works once)",
            tag: "auth", requestSchema: refreshBody, responses: ["200": tokens])
        fragment.add(
            "POST", "/api/v1/auth/logout", id: "logout", summary: "Revoke the login a refresh token belongs to", tag: "auth",
            requestSchema: refreshBody, responses: ["204": ["description": "Logged out"]])
        fragment.add(
            "GET", "/api/v1/auth/me", id: "getMe", summary: "Who the access token says the caller is", tag: "auth",
            responses: ["200": OpenAPIFragment.jsonResponse("The caller", schema: ["type": "object"])])
        fragment.add(
            "GET", "/.well-known/jwks.json", id: "getJWKS", summary: "The public keys that verify access tokens", tag: "auth",
            responses: ["200": OpenAPIFragment.jsonResponse("JWKS (RFC 7517)", schema: ["type": "object", "required": ["keys"]])])
        fragment.schemas["APIKey"] = [
            "type": "object", "required": ["id", "tenantId", "name", "prefix", "scopes", "createdBy", "createdAt"],
            "properties": [
                "id": ["type": "string", "format": "uuid"], "tenantId": ["type": "string", "format": "uuid"],
                "name": ["type": "string"], "prefix": ["type": "string"], "scopes": ["type": "array", "items": ["type": "string"]],
                "createdBy": ["type": "string", "format": "uuid"], "createdAt": ["type": "string", "format": "date-time"],
                "revokedAt": ["type": "string", "format": "date-time"],
            ],
        ]
        fragment.add(
            "POST", "/api/v1/auth/api-keys", id: "createAPIKey",
            summary: "Create an API key for an external system; the key is shown only in this answer (apikeys.write)", tag: "auth",
            requestSchema: [
                "type": "object", "required": ["name", "scopes"],
                "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"],
                    "scopes": ["type": "array", "minItems": 1, "items": ["type": "string", "enum": .array(Permission.all.map { .string($0.rawValue) })]],
                ],
            ],
            responses: ["201": OpenAPIFragment.jsonResponse("The key and its description", schema: [
                "type": "object", "required": ["key", "apiKey"],
                "properties": ["key": ["type": "string"], "apiKey": OpenAPIFragment.ref("APIKey")],
            ])])
        fragment.add(
            "GET", "/api/v1/auth/api-keys", id: "listAPIKeys", summary: "The tenant's API keys, without secrets (apikeys.write)",
            tag: "auth",
            parameters: [
                ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 500]],
                ["name": "cursor", "in": "query", "schema": ["type": "string", "minLength": 1, "maxLength": 512]],
            ],
            responses: ["200": OpenAPIFragment.jsonResponse("A page of keys", schema: ["type": "object"])])
        fragment.add(
            "DELETE", "/api/v1/auth/api-keys/{id}", id: "revokeAPIKey", summary: "Revoke an API key at once (apikeys.write)",
            tag: "auth", parameters: [["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]],
            responses: ["204": ["description": "Revoked"]])
        return fragment
    }
}
