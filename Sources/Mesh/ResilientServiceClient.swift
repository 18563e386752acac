import ERPKernel
import HTTPTypes
import Platform
import ServiceRuntime
import Synchronization

/// A client to another process's service with the mesh's retries around it (the circuit per
/// replica is the `BalancedServiceClient`'s):
/// - retries, with exponential backoff and full jitter, of requests that are safe to send again
///   (GET, HEAD, OPTIONS, PUT, DELETE, and a POST or PATCH only with an `Idempotency-Key`) when
///   the service could not be reached or answered 502/503 — never past the call's deadline;
/// - a retry budget, so retries add at most a fifth to the load on a struggling service;
/// - the deadline: the request being handled may have less time left than `timeout`
///   (`RequestDeadline`); each try gets what remains, and says so downstream.
public struct ResilientServiceClient: ServiceClient {
    public struct RetryPolicy: Sendable {
        /// Tries of one call, the first included.
        public var attempts = 3
        public var baseDelay: Duration = .milliseconds(25)
        public var maximumDelay: Duration = .milliseconds(500)

        public init() {}
    }

    private let inner: any ServiceClient
    private let policy: RetryPolicy
    private let budget = RetryBudget()
    private let retried: @Sendable () -> Void

    public var service: ServiceName { inner.service }
    public var address: String { inner.address }

    public init(_ inner: any ServiceClient, retries: RetryPolicy = .init(), metrics: MetricsRegistry) {
        let service = inner.service.rawValue
        self.inner = inner
        policy = retries
        retried = { metrics.recordUpstreamRetry(service: service) }
    }

    public func send(_ request: ServiceRequest, trace: TraceContext, timeout: Duration) async throws -> ServiceResponse {
        // The caller's own deadline, when it is nearer, bounds this call and travels downstream.
        let allowed = RequestDeadline.budget(timeout)
        guard allowed > .milliseconds(1) else { throw Problem.deadlineExceeded(service.rawValue) }
        let deadline = ContinuousClock.now + allowed
        var request = request
        let repeatable = Self.isRepeatable(request)
        budget.deposit()
        var attempt = 1
        while true {
            var failure: Problem?
            var response: ServiceResponse?
            let remaining = deadline - .now
            request.headers[.requestDeadline] = String(remaining.milliseconds)
            do {
                response = try await inner.send(request, trace: trace, timeout: remaining)
            } catch let problem as Problem {
                failure = problem
            }
            let status = response.map { $0.status.code } ?? failure?.status ?? 503
            // A timeout used the deadline up, and an open circuit everywhere will not close within
            // it; the rest may be tried again, on another replica, when safe and affordable.
            let retryable = Replica.isReplicaFailure(status) && status != 504 && failure?.code != "circuit_open" && repeatable && attempt < policy.attempts
            let delay = retryable ? Self.jitter(policy, attempt: attempt) : .zero
            guard retryable, ContinuousClock.now + delay < deadline, budget.withdraw() else {
                if let response { return response }
                throw failure!
            }
            retried()
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }

    /// For a call made without `send` (the gateway's fast lane): it earns retry budget as `send`'s calls do.
    public func noteCall() { budget.deposit() }

    /// Whether the budget allows another attempt of a call made without `send`; takes it if so.
    public func mayRetry() -> Bool {
        guard budget.withdraw() else { return false }
        retried()
        return true
    }

    static func isRepeatable(_ request: ServiceRequest) -> Bool {
        isRepeatable(method: request.method, headers: request.headers)
    }

    /// Whether a request may be sent again after a replica failed it: its method is idempotent,
    /// or it carries an idempotency key.
    public static func isRepeatable(method: HTTPRequest.Method, headers: HTTPFields) -> Bool {
        switch method {
        case .get, .head, .options, .put, .delete, .trace: true
        default: headers[HTTPField.Name("Idempotency-Key")!] != nil
        }
    }

    /// Full jitter: anywhere from zero to the exponential backoff of this attempt.
    static func jitter(_ policy: RetryPolicy, attempt: Int) -> Duration {
        let ceiling = min(policy.maximumDelay, policy.baseDelay * (1 << min(attempt - 1, 20)))
        return ceiling * Double.random(in: 0...1)
    }
}

/// Retries a client may make: each call earns a fifth of one, up to ten in reserve, so a burst of
/// failures is retried but a lasting one adds at most 20 % to the load.
final class RetryBudget: Sendable {
    private let tokens = Mutex<Double>(10)
    static let earnedPerCall = 0.2
    static let reserve = 10.0

    func deposit() { tokens.withLock { $0 = min(Self.reserve, $0 + Self.earnedPerCall) } }

    func withdraw() -> Bool {
        tokens.withLock { tokens in
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }
}
