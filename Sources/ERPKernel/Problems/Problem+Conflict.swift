extension Problem {
    public static func conflict(_ code: ProblemCode, _ detail: String) -> Problem {
        Problem(status: 409, code: code, title: "Conflict", detail: detail, category: .conflict)
    }
}
