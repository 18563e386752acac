import Testing
@testable import ERPKernel

@Suite struct TraceContextTests {
    @Test func parsesAValidTraceparent() throws {
        let trace = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.spanID == "00f067aa0ba902b7")
        #expect(trace.sampled)
    }

    @Test(arguments: [
        "", "garbage", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "00-４bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // a full-width digit
    ])
    func rejectsMalformedTraceparents(_ header: String) {
        #expect(TraceContext(traceparent: header) == nil)
    }

    @Test func aChildKeepsTheTraceAndGetsANewSpan() {
        let parent = TraceContext.generate()
        let child = parent.child()
        #expect(child.traceID == parent.traceID)
        #expect(child.spanID != parent.spanID)
        #expect(TraceContext(traceparent: child.traceparent) == child)
    }
}
