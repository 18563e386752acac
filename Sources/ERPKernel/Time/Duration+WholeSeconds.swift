extension Duration {
    /// Whole seconds, rounded up (never below zero): a client told to wait this long (a
    /// `Retry-After`) is not refused again for having come back early.
    public var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return max(0, seconds + (attoseconds > 0 ? 1 : 0))
    }
}
