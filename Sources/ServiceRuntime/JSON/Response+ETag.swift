import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPField.Name {
    /// How long the gateway (a surrogate, in the Edge Architecture's words) may keep an answer,
    /// apart from what `Cache-Control` tells browsers; the gateway never passes it on.
    public static let surrogateControl = HTTPField.Name("Surrogate-Control")!
}

extension Response {
    /// A JSON read answer with a strong `ETag` (a digest of the body). Answers `304 Not Modified`
    /// without a body when the request's `If-None-Match` names it.
    /// - Parameter gatewayMaxAgeSeconds: how long the gateway may answer it from its cache (per
    ///   caller, dropped on a change); browsers are told to revalidate, which the gateway answers
    ///   with 304. nil: not cached.
    public static func json(_ value: some Encodable, etagFor request: Request, gatewayMaxAgeSeconds: Int? = nil) throws -> Response {
        json(encoded: try JSONCoding.encoder.encode(value), etagFor: request, gatewayMaxAgeSeconds: gatewayMaxAgeSeconds)
    }

    /// The same for a body the caller encoded already (large answers written with `JSONWriter`).
    public static func json(encoded data: Data, etagFor request: Request, gatewayMaxAgeSeconds: Int? = nil) -> Response {
        let digest = SHA256.hash(data: data).prefix(16).hexString
        let etag = "\"\(digest)\""
        var headers = HTTPFields()
        headers[.eTag] = etag
        if let gatewayMaxAgeSeconds {
            headers[.cacheControl] = "no-cache"
            headers[.surrogateControl] = "max-age=\(gatewayMaxAgeSeconds)"
        }
        if request.headers.ifNoneMatchNames(etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPFields {
    /// Whether `If-None-Match` names `etag` (or is `*`): the client holds that version already.
    public func ifNoneMatchNames(_ etag: String) -> Bool {
        guard let match = self[.ifNoneMatch] else { return false }
        return match == "*" || match.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag }
    }
}
