import ERPKernel
import Foundation
import HTTPTypes
import Hummingbird

extension MediaType {
    public static let problemJSON = MediaType(type: .application, subType: "problem+json")
}

extension Problem {
    /// The `application/problem+json` response for this problem.
    public func response(instance: String?, correlationID: String) -> Response {
        let answer = serviceResponse(instance: instance, correlationID: correlationID)
        return Response(status: answer.status, headers: answer.headers, body: ResponseBody(byteBuffer: answer.body))
    }

    /// The same answer as status, fields and bytes, for a caller that writes it itself.
    public func serviceResponse(instance: String?, correlationID: String) -> ServiceResponse {
        let body = ProblemBody(problem: self, instance: instance, correlationID: correlationID)
        let data = (try? JSONCoding.encoder.encode(body)) ?? Data(#"{"status":500}"#.utf8)
        var headers: HTTPFields = [.contentType: MediaType.problemJSON.description]
        for (name, value) in self.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return ServiceResponse(status: HTTPResponse.Status(code: status), headers: headers, body: ByteBuffer(bytes: data))
    }
}
