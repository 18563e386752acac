/// The auth service's knobs, from the process configuration.
public struct AuthSettings: Sendable {
    /// Lifetime of an access token (default 5 minutes).
    public var accessTokenLifetime: Duration
    /// Lifetime of a refresh token (default 30 days); every use replaces it.
    public var refreshTokenLifetime: Duration
    /// bcrypt cost factor, 4…31 (default 12: about a quarter second per hash on one core).
    public var bcryptCost: UInt8
    /// Age at which the signing key is replaced (default 30 days); `nil` never.
    public var signingKeyMaximumAge: Duration?
    /// Failed logins allowed per account and per client address in the window.
    var loginLimits = LoginThrottle.Limits()

    public init(
        accessTokenLifetime: Duration = .seconds(300), refreshTokenLifetime: Duration = .seconds(30 * 86_400), bcryptCost: UInt8 = 12,
        signingKeyMaximumAge: Duration? = .seconds(30 * 86_400)
    ) {
        precondition((4...31).contains(bcryptCost), "bcrypt cost is 4…31")
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.bcryptCost = bcryptCost
        self.signingKeyMaximumAge = signingKeyMaximumAge
    }
}
