import Crypto
import ERPKernel
import Foundation
import JWTKit
import ServiceRuntime

/// How many access tokens one core verifies per second, through jwt-kit alone and through the
/// verifier every service uses (with its cache). Run by `bench/identity`; prints one JSON object.
enum TokenVerificationBench {
    static func run(iterations: Int) async throws {
        let key = Curve25519.Signing.PrivateKey()
        let kid = "bench-key"
        let signer = JWTKeyCollection()
        await signer.add(eddsa: EdDSA.PrivateKey(backing: key), kid: JWKIdentifier(string: kid))
        let identity = Identity(
            kind: .user, subject: .generate(), tenantID: TenantID(.generate()), roles: ["admin"], permissions: Set(Permission.all))
        let jwks = #"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","use":"sig","kid":"\#(kid)","x":"\#(key.publicKey.rawRepresentation.base64URLEncodedString())"}]}"#

        var signed: [String] = []
        for _ in 0..<iterations {
            signed.append(try await signer.sign(AccessTokenClaims(identity: identity, issuedAt: Date(), lifetime: .seconds(300)), kid: JWKIdentifier(string: kid)))
        }

        let tokens = signed

        // 1. jwt-kit alone: signature and claims, every time.
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: jwks)
        let plain = try await measure(iterations) { index in _ = try await keys.verify(tokens[index], as: AccessTokenClaims.self) }

        // 2. The services' verifier, every token new (cache misses).
        let verifier = JWTVerifier { jwks }
        let firstSight = try await measure(iterations) { index in _ = try await verifier.identity(forBearer: tokens[index]) }

        // 3. The same verifier as traffic looks: each token is sent again and again until it expires.
        let repeated = try await measure(iterations * 50) { index in _ = try await verifier.identity(forBearer: tokens[index % iterations]) }

        let result: [String: Any] = [
            "cores": ProcessInfo.processInfo.activeProcessorCount,
            "jwtKitVerifyPerSecondPerCore": plain.rounded(),
            "verifierFirstSightPerSecondPerCore": firstSight.rounded(),
            "verifierRepeatedPerSecondPerCore": repeated.rounded(),
            "tokenBytes": tokens[0].utf8.count,
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }

    /// Runs `body` `count` times on one task (so on one core) and returns operations per second.
    static func measure(_ count: Int, _ body: @Sendable (Int) async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        for index in 0..<count { try await body(index) }
        let elapsed = ContinuousClock.now - start
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
