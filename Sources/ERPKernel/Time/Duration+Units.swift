extension Duration {
    /// Whole seconds, rounded up (never below zero): a client told to wait this long (a
    /// `Retry-After`) is not refused again for having come back early.
    public var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return max(0, seconds + (attoseconds > 0 ? 1 : 0))
    }

    /// Whole milliseconds, for messages and configuration.
    public var milliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }

    /// Whole nanoseconds, as ECS logs `event.duration`.
    public var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
