import ERPKernel
import HTTPTypes

extension HTTPField.Name {
    /// The milliseconds a caller still waits for this request; relative, so clocks need not agree.
    public static let requestDeadline = HTTPField.Name("X-NeuroERP-Deadline-Ms")!
}

/// When the caller of the request being handled stops waiting, so that no call made on its
/// behalf waits longer: the mesh clients shorten their timeouts to it, send the rest downstream
/// in `X-NeuroERP-Deadline-Ms`, and do not start a call at all once it has passed.
public enum RequestDeadline {
    /// Set for the handling of one request by `DeadlineMiddleware`; nil outside a request.
    @TaskLocal public static var current: ContinuousClock.Instant?

    /// The longest deadline a caller may set (10 minutes); a larger value is cut to it.
    public static let maximumMilliseconds = 600_000

    /// What is left of `timeout` within the current deadline; zero or less once it has passed.
    public static func budget(_ timeout: Duration, now: ContinuousClock.Instant = .now) -> Duration {
        guard let current else { return timeout }
        return min(timeout, current - now)
    }
}
