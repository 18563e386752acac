import ERPKernel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceRuntime

extension Request {
    func date(query name: String) throws -> String? {
        guard let text = uri.queryParameters.get(name) else { return nil }
        try Check.fail(Check.date(text, name))
        return text
    }
}

