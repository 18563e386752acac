import ERPKernel
import Foundation
import Hummingbird

extension Request {
    /// Decodes the JSON body, answering bad input with a problem that names where it is wrong.
    /// - Throws: `Problem` 415 without a JSON content type, 400 for malformed or mistyped JSON.
    public mutating func decodeJSON<T: Decodable>(_ type: T.Type, context: ServiceContext) async throws -> T {
        let contentType = headers[.contentType]
        guard let contentType, let media = MediaType(from: contentType), media.isType(.applicationJson) else {
            throw Problem.unsupportedMediaType(contentType)
        }
        let body = try await collectBody(upTo: .max)
        do {
            return try JSONCoding.decoder.decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            throw Problem(decodingError: error)
        }
    }
}

extension Problem {
    /// Turns a `DecodingError` into a 400 naming the JSON path, e.g. `items[2].quantity`.
    public init(decodingError error: DecodingError) {
        func render(_ path: [any CodingKey]) -> String? {
            guard !path.isEmpty else { return nil }
            return path.reduce(into: "") { text, key in
                if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as? NSError)?.userInfo["NSDebugDescription"] as? String
            self = .malformedJSON(underlying ?? context.debugDescription, at: render(context.codingPath))
        case .keyNotFound(let key, let context):
            let path = render(context.codingPath + [key]) ?? key.stringValue
            self = .validation("\(path) is required.", invalidParams: [InvalidParam(name: path, reason: "missing")])
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            let path = render(context.codingPath) ?? "body"
            self = .validation(
                "\(path) must be \(Self.jsonTypeName(expected)).",
                invalidParams: [InvalidParam(name: path, reason: "expected \(Self.jsonTypeName(expected))")])
        @unknown default:
            self = .malformedJSON("The body is not valid JSON.", at: nil)
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is any BinaryInteger.Type: "an integer"
        case is any FloatingPoint.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

extension Response {
    /// A JSON response from bytes encoded earlier (a cached answer).
    public static func json(encoded body: ByteBuffer, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: body))
    }

    /// A JSON response in the API's dialect.
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try JSONCoding.encoder.encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
