extension String {
    /// Whether this path is `prefix` or lies below it: `/api/v1/reports/x` is under
    /// `/api/v1/reports`, `/api/v1/reportsx` is not. Rate-limit and access rules name paths so.
    func isPath(under prefix: String) -> Bool {
        self == prefix || hasPrefix(prefix.hasSuffix("/") ? prefix : prefix + "/")
    }
}
