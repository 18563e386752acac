import ERPKernel

/// The JSON members of an RFC 9457 problem as NeuroERP sends it.
public struct ProblemBody: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var instance: String?
    public var code: String
    public var correlationId: String
    public var category: String
    public var severity: String
    public var invalidParams: [InvalidParam]?

    public init(problem: Problem, instance: String?, correlationID: String) {
        self.type = problem.type
        self.title = problem.title
        self.status = problem.status
        self.detail = problem.detail
        self.instance = instance
        self.code = problem.code.rawValue
        self.correlationId = correlationID
        self.category = problem.category.rawValue
        self.severity = problem.severity.rawValue
        self.invalidParams = problem.invalidParams.isEmpty ? nil : problem.invalidParams
    }
}
