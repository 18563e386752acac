import Crypto
import ERPKernel
import Foundation
import HTTPTypes
import Hummingbird
import Platform
import Synchronization

/// The `Idempotency-Key` of a request (IETF draft "The Idempotency-Key HTTP Header Field"), with
/// the fingerprint of the request it came with.
public struct IdempotencyKey: Sendable, Hashable {
    /// Keys are the client's: the same key from two tenants are two keys.
    public let scope: String
    public let key: String
    /// SHA-256 of method, path and body: the same key with another request is refused.
    public let fingerprint: String

    public static let header = HTTPField.Name("Idempotency-Key")!
    public static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    public init(scope: String, key: String, fingerprint: String) {
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
    }

    /// The request's key, `nil` when it has none.
    /// - Throws: a 400 `Problem` for an empty or over-long key.
    public static func of(_ request: Request, body: ByteBuffer, tenant: TenantID) throws -> IdempotencyKey? {
        guard let key = request.headers[header] else { return nil }
        guard (1...255).contains(key.utf8.count), key.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
            throw Problem.validation(
                "Idempotency-Key must be 1 to 255 ASCII characters.",
                invalidParams: [InvalidParam(name: "Idempotency-Key", reason: "1 to 255 ASCII characters")])
        }
        var hash = SHA256()
        hash.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hash.update(data: Data(body.readableBytesView))
        return IdempotencyKey(
            scope: tenant.description, key: key,
            fingerprint: hash.finalize().hexString)
    }

    /// The same key for one part of a larger request (an item of a bulk request).
    public func part(_ index: Int, body: Data) -> IdempotencyKey {
        let fingerprint = SHA256.hash(data: body).hexString
        return IdempotencyKey(scope: scope, key: "\(key)#\(index)", fingerprint: fingerprint)
    }
}

/// A response kept for its idempotency key.
public struct StoredResponse: Sendable {
    public let status: Int
    public let body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }

    public var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[IdempotencyKey.replayedHeader] = "true"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Remembers the responses of requests with an idempotency key, in the service's database.
///
/// A response is recorded in the same transaction as the change it reports, so after a crash a
/// retry finds either both or neither. Only successes are kept: a refused request may be retried
/// with the same key once its cause is fixed.
public final class IdempotencyKeys: Sendable {
    private let database: any SQLDatabase
    private let inFlight = Mutex<Set<IdempotencyKey>>([])

    public init(database: any SQLDatabase) { self.database = database }

    /// Marks the key as running; no database read, so a first use costs nothing extra. A repeat
    /// is recognised when its write meets the stored key (`record` fails on the primary key) or
    /// when it is refused on the way; the caller then answers with `stored(_:)`.
    /// - Throws: 409 while the first request with the key is still running.
    public func claim(_ key: IdempotencyKey) throws {
        let claimed = inFlight.withLock { $0.insert(key).inserted }
        guard claimed else {
            throw Problem.conflict("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed; retry later.")
        }
    }

    public func release(_ key: IdempotencyKey) {
        _ = inFlight.withLock { $0.remove(key) }
    }

    /// The stored response for the key; throws 422 for a key used with another request.
    public func stored(_ key: IdempotencyKey) async throws -> StoredResponse? {
        let rows = try await database.read { reader in
            try reader.query(
                "SELECT request_hash, status, body FROM idempotency_keys WHERE scope = ? AND key = ?",
                [.text(key.scope), .text(key.key)])
        }
        guard let row = rows.first else { return nil }
        guard row["request_hash"].string == key.fingerprint else {
            throw Problem(
                status: 422, code: "idempotency_key_reused", title: "Idempotency-Key reused",
                detail: "This Idempotency-Key was used with a different request.", category: .validation,
                invalidParams: [InvalidParam(name: "Idempotency-Key", reason: "used before with another request body")])
        }
        return StoredResponse(status: try row.requireInt("status"), body: row["body"].blob ?? Data())
    }

    /// Records the response inside the write transaction that made the change.
    public static func record(_ key: IdempotencyKey, _ response: StoredResponse, in tx: any SQLExecutor) throws {
        try tx.execute(
            """
            INSERT INTO idempotency_keys (scope, key, request_hash, status, headers, body, created_at)
            VALUES (?, ?, ?, ?, '{}', ?, ?)
            """,
            [.text(key.scope), .text(key.key), .text(key.fingerprint), .integer(response.status), .blob(response.body),
             .text(RFC3339.now())])
    }
}
