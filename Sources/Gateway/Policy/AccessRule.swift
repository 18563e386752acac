import ERPKernel
import HTTPTypes

/// One rule of the gateway's access policy: requests under `pathPrefix` (with one of `methods`,
/// or any) need a verified caller, and with `permission` that permission too. The gateway
/// refuses them with 401 or 403 before any service is called; the services check again.
public struct AccessRule: Sendable, Equatable {
    public var pathPrefix: String
    /// nil: every method.
    public var methods: Set<String>?
    /// nil: any verified caller will do.
    public var permission: Permission?

    public init(pathPrefix: String, methods: Set<String>? = nil, permission: Permission? = nil) {
        self.pathPrefix = pathPrefix
        self.methods = methods
        self.permission = permission
    }

    func covers(method: HTTPRequest.Method, path: String) -> Bool {
        guard methods?.contains(method.rawValue) ?? true else { return false }
        return path.isPath(under: pathPrefix)
    }
}
