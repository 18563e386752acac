import ERPKernel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime

extension ServiceContext {
    /// A path parameter that must be an entity ID.
    func id(_ name: String = "id") throws -> EntityID {
        let text = try parameters.require(name)
        guard let id = EntityID(text) else {
            throw Problem.validation("\(name) must be a UUID.", invalidParams: [InvalidParam(name: name, reason: "not a UUID")])
        }
        return id
    }
}

extension Request {
    func page() throws -> PageRequest {
        try PageRequest.parse(limit: uri.queryParameters.get("limit"), cursor: uri.queryParameters.get("cursor"))
    }

    /// A query parameter from a fixed set of values.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let value = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.validation("\(name) must be one of \(allowed).", invalidParams: [InvalidParam(name: name, reason: "one of \(allowed)")])
        }
        return value
    }

    func entityID(query name: String) throws -> EntityID? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        guard let id = EntityID(text) else {
            throw Problem.validation("\(name) must be a UUID.", invalidParams: [InvalidParam(name: name, reason: "not a UUID")])
        }
        return id
    }

    func date(query name: String) throws -> String? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        try Check.fail(Check.date(text, name))
        return text
    }

    /// The JSON body, decoded strictly, and its bytes (for the idempotency fingerprint).
    mutating func strictBody<T: KnownFields>(_ type: T.Type, context: ServiceContext) async throws -> (T, ByteBuffer) {
        let body = try await collectBody(upTo: .max)
        var replay = self
        replay.body = .init(buffer: body)
        return (try await replay.decodeJSON(Strict<T>.self, context: context).value, body)
    }
}

extension StoredResponse {
    init(status: HTTPResponse.Status, _ value: some Encodable) throws {
        self.init(status: Int(status.code), body: try JSONCoding.encoder.encode(value))
    }

    var fresh: Response {
        var response = response
        response.headers[IdempotencyKey.replayedHeader] = nil
        return response
    }
}
