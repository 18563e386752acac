import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// A JSON read answer with a strong `ETag` (a digest of the body). Answers `304 Not Modified`
    /// without a body when the request's `If-None-Match` names it.
    public static func json(_ value: some Encodable, etagFor request: Request) throws -> Response {
        json(encoded: try JSONCoding.encoder.encode(value), etagFor: request)
    }

    /// The same for a body the caller encoded already (large answers written with `JSONWriter`).
    public static func json(encoded data: Data, etagFor request: Request) -> Response {
        let digest = SHA256.hash(data: data).prefix(16).hexString
        let etag = "\"\(digest)\""
        var headers = HTTPFields()
        headers[.eTag] = etag
        if let match = request.headers[.ifNoneMatch],
            match == "*" || match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
