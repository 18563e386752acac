/// The problems every service can raise. Domain problems live beside their domain.
extension Problem {
    public static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, code: "not_found", title: "Not found", detail: detail, category: .notFound)
    }

    public static func routeNotFound(method: String, path: String) -> Problem {
        Problem(
            status: 404, code: "route_not_found", title: "No such route",
            detail: "There is no route \(method) \(path).", category: .notFound)
    }

    public static func methodNotAllowed(method: String, path: String, allowed: [String]) -> Problem {
        Problem(
            status: 405, code: "method_not_allowed", title: "Method not allowed",
            detail: "\(path) does not accept \(method); it accepts \(allowed.joined(separator: ", ")).",
            category: .validation, headers: ["Allow": allowed.joined(separator: ", ")])
    }

    public static func validation(_ detail: String, invalidParams: [InvalidParam] = []) -> Problem {
        Problem(
            status: 400, code: "validation_failed", title: "Invalid request", detail: detail,
            category: .validation, invalidParams: invalidParams)
    }

    public static func malformedJSON(_ detail: String, at path: String?) -> Problem {
        Problem(
            status: 400, code: "malformed_json", title: "Malformed JSON body", detail: detail,
            category: .validation,
            invalidParams: path.map { [InvalidParam(name: $0, reason: detail)] } ?? [])
    }

    public static func payloadTooLarge(limitBytes: Int?) -> Problem {
        Problem(
            status: 413, code: "payload_too_large", title: "Request body too large",
            detail: limitBytes.map { "The request body exceeds the limit of \($0) bytes." } ?? "The request body is too large.",
            category: .validation)
    }

    public static func unsupportedMediaType(_ contentType: String?) -> Problem {
        Problem(
            status: 415, code: "unsupported_media_type", title: "Unsupported media type",
            detail: "Expected application/json, got \(contentType ?? "no Content-Type").", category: .validation)
    }

    /// The generic answer for an unexpected failure: the cause is logged, never returned.
    public static let internalError = Problem(
        status: 500, code: "internal_error", title: "Internal server error",
        detail: "An unexpected error occurred. Quote the correlation ID when reporting it.",
        category: .internal, severity: .critical)

    public static func upstreamUnavailable(_ service: String, detail: String) -> Problem {
        Problem(
            status: 503, code: "upstream_unavailable", title: "Service unavailable", detail: detail,
            category: .dependency, severity: .error, headers: ["Retry-After": "1"])
    }

    /// The service's database server could not be reached or was restarting; a write that got
    /// this answer was not committed, and its retry (with the same Idempotency-Key) is safe.
    public static let databaseUnavailable = Problem(
        status: 503, code: "database_unavailable", title: "Database unavailable",
        detail: "The database could not be reached; the request was not carried out. Retry it shortly.",
        category: .dependency, severity: .error, headers: ["Retry-After": "1"])

    /// Calls to the service fail at once for a while: it failed too often just now.
    public static func circuitOpen(_ service: String, retryAfter: Duration) -> Problem {
        let seconds = max(1, retryAfter.wholeSecondsRoundedUp)
        return Problem(
            status: 503, code: "circuit_open", title: "Service unavailable",
            detail: "The \(service) service failed too often just now; calls to it are held back for \(seconds) s.",
            category: .dependency, severity: .error, headers: ["Retry-After": String(seconds)])
    }

    /// The request's own deadline (`X-NeuroERP-Deadline-Ms`) left no time for a call it needs.
    public static func deadlineExceeded(_ service: String) -> Problem {
        Problem(
            status: 504, code: "deadline_exceeded", title: "Deadline exceeded",
            detail: "The request's deadline passed before the \(service) service could be asked.",
            category: .dependency, severity: .warning)
    }

    public static func upstreamTimeout(_ service: String, timeoutMilliseconds: Int) -> Problem {
        Problem(
            status: 504, code: "upstream_timeout", title: "Upstream timed out",
            detail: "The \(service) service did not answer within \(timeoutMilliseconds) ms.",
            category: .dependency, severity: .error)
    }

    public static func badGateway(_ service: String, detail: String) -> Problem {
        Problem(
            status: 502, code: "bad_gateway", title: "Bad gateway", detail: detail,
            category: .dependency, severity: .error)
    }

    public static func dependencyNotReady(_ names: [String]) -> Problem {
        Problem(
            status: 503, code: "not_ready", title: "Not ready",
            detail: "Waiting for: \(names.joined(separator: ", ")).", category: .dependency)
    }
}
