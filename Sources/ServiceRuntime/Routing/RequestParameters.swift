import ERPKernel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension ServiceContext {
    /// A path parameter that must be an entity ID.
    public func id(_ name: String = "id") throws -> EntityID {
        let text = try parameters.require(name)
        guard let id = EntityID(text) else {
            throw Problem.validation("\(name) must be a UUID.", invalidParams: [InvalidParam(name: name, reason: "not a UUID")])
        }
        return id
    }
}

extension Request {
    /// `limit` and `cursor` of a list request.
    public func page() throws -> PageRequest {
        try PageRequest.parse(limit: uri.queryParameters.get("limit"), cursor: uri.queryParameters.get("cursor"))
    }

    /// A query parameter from a fixed set of values.
    public func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.validation("\(name) must be one of \(allowed).", invalidParams: [InvalidParam(name: name, reason: "one of \(allowed)")])
        }
        return value
    }

    public func entityID(query name: String) throws -> EntityID? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let id = EntityID(text) else {
            throw Problem.validation("\(name) must be a UUID.", invalidParams: [InvalidParam(name: name, reason: "not a UUID")])
        }
        return id
    }

    /// The JSON body, decoded strictly, and its bytes (for the idempotency fingerprint).
    public mutating func strictBody<T: KnownFields>(_ type: T.Type, context: ServiceContext) async throws -> (T, ByteBuffer) {
        let (strict, body) = try await jsonBody(Strict<T>.self, context: context)
        return (strict.value, body)
    }

    /// The JSON body, decoded, and its bytes (for the idempotency fingerprint).
    public mutating func jsonBody<T: Decodable>(_ type: T.Type, context: ServiceContext) async throws -> (T, ByteBuffer) {
        let body = try await collectBody(upTo: .max)
        var replay = self
        replay.body = .init(buffer: body)
        return (try await replay.decodeJSON(T.self, context: context), body)
    }
}

extension StoredResponse {
    public init(status: HTTPResponse.Status, _ value: some Encodable) throws {
        self.init(status: Int(status.code), body: try JSONCoding.encoder.encode(value))
    }

    /// The answer of a request that ran now (no replay header).
    public var fresh: Response {
        var response = response
        response.headers[IdempotencyKey.replayedHeader] = nil
        return response
    }
}

extension IdempotencyKeys {
    /// Runs a POST under its `Idempotency-Key`: a repeat answers what the first answered.
    ///
    /// The stored answer is not looked up first: a repeat runs until its write records the key
    /// and meets the stored one (the write is undone), or until it is refused on the way (a rule
    /// changed since); either way the stored answer, if there is one, is what it gets.
    public func run(
        _ request: Request, body: ByteBuffer, tenant: TenantID, _ run: (IdempotencyKey?) async throws -> StoredResponse
    ) async throws -> Response {
        guard let key = try IdempotencyKey.of(request, body: body, tenant: tenant) else { return try await run(nil).fresh }
        try claim(key)
        defer { release(key) }
        do {
            return try await run(key).fresh
        } catch {
            guard let stored = try await stored(key) else { throw error }
            return stored.response
        }
    }
}
