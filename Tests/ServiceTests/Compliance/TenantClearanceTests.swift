import ERPKernel
import Testing
@testable import ComplianceService

/// The gate's memory: the newest state wins whatever order updates and snapshots arrive in, and
/// a change to a refusing status refuses from before its commit.
@Suite struct TenantClearanceTests {
    let batch = EntityID.generate()
    let article = EntityID.generate()
    var sale: [BatchMovement] { [BatchMovement(articleID: article, batchID: batch, date: "2026-11-25")] }

    @Test func theNewestVersionWinsWhateverTheOrder() {
        let clearance = TenantClearance()
        clearance.apply(batch, status: .blocked, version: 3)
        clearance.apply(batch, status: .released, version: 2)  // a late answer of an older change
        clearance.load(batches: [(batch, .inTesting, 1)], expiries: [:], links: [:])  // a snapshot read before both
        #expect(clearance.refusals(for: sale).map(\.reason) == [.blocked])
        clearance.apply(batch, status: .released, version: 4)
        #expect(clearance.refusals(for: sale).isEmpty)
    }

    @Test func aChangeToARefusingStatusRefusesBeforeItCommits() {
        let clearance = TenantClearance()
        clearance.apply(batch, status: .released, version: 1)
        clearance.beginChange(batch, to: .recalled)
        #expect(clearance.refusals(for: sale).map(\.reason) == [.recalled])
        clearance.endChange(batch, to: .recalled)  // the write failed: the old status holds again
        #expect(clearance.refusals(for: sale).isEmpty)
        clearance.beginChange(batch, to: .conditional)  // still sellable: nothing to hold back
        #expect(clearance.refusals(for: sale).isEmpty)
    }

    @Test func unknownBatchesAreUntestedAndExpiredApprovalsRefuseOnTheirDate() {
        let clearance = TenantClearance()
        #expect(clearance.refusals(for: sale).map(\.reason) == [.untested])
        clearance.apply(batch, status: .released, version: 1)
        clearance.apply(approval: "024567-00", expiresOn: "2026-11-24", version: 1, articles: [article])
        #expect(clearance.refusals(for: sale).map(\.reason) == [.approvalExpired])
        let lastDay = [BatchMovement(articleID: article, batchID: batch, date: "2026-11-24")]
        #expect(clearance.refusals(for: lastDay).isEmpty)
    }
}
