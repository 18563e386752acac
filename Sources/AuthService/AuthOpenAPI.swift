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
            responses: ["200": tokens])
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
        return fragment
    }
}
