import ERPKernel
import Foundation
import JWTKit
import Synchronization

/// Turns a bearer credential into an `Identity`, or says why it cannot.
public protocol CredentialVerifier: Sendable {
    /// - Throws: a 401 `Problem` naming what is wrong with the credential.
    func identity(forBearer credential: String) async throws -> Identity
    /// The identity of a credential verified before and still valid, without waiting; nil when
    /// it must be verified (or cannot be).
    func verifiedIdentity(forBearer credential: String) -> Identity?
}

extension CredentialVerifier {
    public func verifiedIdentity(forBearer credential: String) -> Identity? { nil }
}

/// Verifies access tokens locally against the auth service's published keys (JWKS).
///
/// The keys are fetched once and again only when a token names a key ID not seen yet (key
/// rotation), at most once per `refetchInterval` (default 1 s), so a flood of forged key IDs
/// costs at most one JWKS request a second.
public final class JWTVerifier: CredentialVerifier {
    private let fetchJWKS: @Sendable () async throws -> String
    private let refetchInterval: Duration
    private let verified: VerifiedTokens
    private let state = Mutex<(keys: JWTKeyCollection?, kids: Set<String>, fetchedAt: ContinuousClock.Instant?)>((nil, [], nil))

    /// - Parameters:
    ///   - cachedTokens: how many verified tokens are remembered until they expire (default 50,000).
    ///   - fetchJWKS: returns the JWKS document, e.g. from `GET /.well-known/jwks.json`.
    public init(
        refetchInterval: Duration = .seconds(1), cachedTokens: Int = 50_000,
        fetchJWKS: @escaping @Sendable () async throws -> String
    ) {
        self.fetchJWKS = fetchJWKS
        self.refetchInterval = refetchInterval
        self.verified = VerifiedTokens(capacity: cachedTokens)
    }

    public func identity(forBearer credential: String) async throws -> Identity {
        guard credential.utf8.count <= 8192 else { throw Problem.unauthenticated("The token is too long.") }
        if let identity = verified.identity(for: credential) { return identity }
        guard let kid = Self.keyID(of: credential) else {
            throw Problem.unauthenticated("The token is not a JWT with a key ID.")
        }
        let keys = try await keys(knowing: kid)
        do {
            let claims = try await keys.verify(credential, as: AccessTokenClaims.self)
            guard let identity = claims.identity else { throw Problem.unauthenticated("The token's claims are not ours.") }
            verified.remember(credential, identity: identity, expiresAt: claims.exp.value)
            return identity
        } catch let error as JWTError {
            throw Problem.unauthenticated(Self.reason(error))
        }
    }

    public func verifiedIdentity(forBearer credential: String) -> Identity? { verified.identity(for: credential) }

    private func keys(knowing kid: String) async throws -> JWTKeyCollection {
        let now = ContinuousClock.now
        let (current, mayRefetch) = state.withLock { state -> (JWTKeyCollection?, Bool) in
            if let keys = state.keys, state.kids.contains(kid) { return (keys, false) }
            let mayRefetch = state.fetchedAt.map { now - $0 >= refetchInterval } ?? true
            return (state.keys, mayRefetch)
        }
        if let current, !mayRefetch { return current }  // unknown kid; verification will say so
        guard mayRefetch else {
            throw Problem.upstreamUnavailable("auth", detail: "The signing keys cannot be loaded.")
        }
        let document: String
        do {
            document = try await fetchJWKS()
        } catch {
            if let current { return current }
            throw Problem.upstreamUnavailable("auth", detail: "The signing keys cannot be loaded from the auth service.")
        }
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: document)
        let kids = Set(Self.keyIDs(inJWKS: document))
        state.withLock { $0 = (keys, kids, now) }
        return keys
    }

    /// The `kid` of a compact JWT's header, without trusting anything else in it.
    static func keyID(of token: String) -> String? {
        guard let headerPart = token.split(separator: ".", omittingEmptySubsequences: false).first,
            let data = Data(base64URLEncoded: String(headerPart)),
            let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return header["kid"] as? String
    }

    static func keyIDs(inJWKS document: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any],
            let keys = object["keys"] as? [[String: Any]]
        else { return [] }
        return keys.compactMap { $0["kid"] as? String }
    }

    static func reason(_ error: JWTError) -> String {
        switch error.errorType {
        case .claimVerificationFailure: "The token has expired or is not meant for this API."
        case .unknownKID: "The token was signed with an unknown key."
        case .signatureVerificationFailed: "The token's signature is not valid."
        case .unsupportedAlgorithm, .signingAlgorithmFailure: "The token's algorithm is not accepted."
        default: "The token is malformed."
        }
    }
}

extension Data {
    /// Decodes base64url without padding, as JWTs use it; `nil` for anything else.
    public init?(base64URLEncoded text: String) {
        // Byte by byte: Foundation's string replacing is far slower, and this runs per request.
        var base64 = text.utf8.map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        while base64.count % 4 != 0 { base64.append(UInt8(ascii: "=")) }
        self.init(base64Encoded: Data(base64))
    }

    /// base64url without padding.
    public func base64URLEncodedString() -> String {
        let base64 = base64EncodedData()
        var encoded = [UInt8]()
        encoded.reserveCapacity(base64.count)
        for byte in base64 where byte != UInt8(ascii: "=") {
            encoded.append(byte == UInt8(ascii: "+") ? UInt8(ascii: "-") : byte == UInt8(ascii: "/") ? UInt8(ascii: "_") : byte)
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
