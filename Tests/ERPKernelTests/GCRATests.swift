import ERPKernel
import Testing

@Suite struct GCRATests {
    let limit = RateLimit(key: "k", limit: 4)
    let window = Duration.seconds(60)  // one event every 15 s once the burst is spent

    /// Runs events at the given seconds; returns each decision.
    private func events(at seconds: [Int]) -> [RateLimitDecision] {
        var tat: Duration?
        return seconds.map { second in
            let (decision, next) = GCRA.decide(tat: tat, now: .seconds(second), limit: limit, window: window)
            if let next { tat = next }
            return decision
        }
    }

    @Test func aBurstOfTheLimitPassesThenTheNextWaitsOneInterval() {
        let decisions = events(at: [0, 0, 0, 0, 0])
        #expect(decisions.map(\.allowed) == [true, true, true, true, false])
        #expect(decisions.map(\.remaining) == [3, 2, 1, 0, 0])
        #expect(decisions[4].retryAfter == .seconds(15))
        #expect(decisions[3].reset == .seconds(60), "the bucket is full again a window after the burst")
    }

    @Test func theLimitRefillsEvenlyAndARefusedEventTakesNothing() {
        let decisions = events(at: [0, 0, 0, 0, 5, 15, 15, 75])
        #expect(decisions.map(\.allowed) == [true, true, true, true, false, true, false, true])
        #expect(decisions[4].retryAfter == .seconds(10))
        #expect(decisions[7].remaining == 3, "a whole window later, the full burst is back but for this event")
    }
}
