import ERPKernel
import ERPTesting
import Foundation
import Platform
import Testing
@testable import ComplianceService

/// The register's expiry watch: a warning 90 days ahead and a notice once an approval ended,
/// each once per approval and date.
@Suite struct PSMExpiryTests {
    @Test func approvalsNearOrPastTheirLastDayAreAnnouncedOnce() async throws {
        let (database, _) = try await TestDatabase.make()
        try await Migrator(database: database, logger: TestDatabase.logger).apply(ComplianceServiceModule.migrations(for: database.dialect))
        let register = PSMRegister(database: database)
        let (north, south) = (TenantID(.generate()), TenantID(.generate()))
        let actor = EntityID.generate()
        func put(_ number: String, _ expiresOn: String, _ tenant: TenantID) async throws {
            _ = try await register.put(
                number, PSMApprovalRequest(holder: "BASF SE", expiresOn: expiresOn, restrictions: nil, articleIds: nil),
                actor: actor, tenant: tenant, trace: nil)
        }
        try await put("000001-00", "2027-02-20", north)  // 87 days ahead: warn
        try await put("000002-00", "2027-02-24", north)  // 91 days ahead: not yet
        try await put("000003-00", "2026-11-24", south)  // ended yesterday
        let today = CivilDate("2026-11-25")!
        #expect(try await register.noteExpiries(today: today) == 2)
        #expect(try await register.noteExpiries(today: today) == 0)
        #expect(try await register.find("000001-00", tenant: north)?.expiryWarnedAt != nil)
        #expect(try await register.find("000002-00", tenant: north)?.expiryWarnedAt == nil)
        #expect(try await register.find("000003-00", tenant: south)?.expiredNotedAt != nil)
        // Days pass: the second comes into range, the first ends.
        #expect(try await register.noteExpiries(today: CivilDate("2027-02-21")!) == 2)
        let events = try await database.read { reader in
            try reader.query("SELECT type, payload FROM outbox_events WHERE type LIKE 'compliance.psm_approval.expir%' ORDER BY seq").map {
                "\($0["type"].string ?? "") " + String(decoding: $0["payload"].blob ?? Data(), as: UTF8.self)
            }
        }
        #expect(events.count == 4)
        #expect(events.prefix(2).contains { $0.hasPrefix("compliance.psm_approval.expiring.v1") && $0.contains(#""daysLeft":87"#) })
        #expect(events.prefix(2).contains { $0.hasPrefix("compliance.psm_approval.expired.v1") && $0.contains(#""approvalNumber":"000003-00""#) })
        // Moving the last day starts the watch over for that approval.
        try await put("000001-00", "2027-12-31", north)
        #expect(try await register.find("000001-00", tenant: north)?.expiryWarnedAt == nil)
        await database.close()
    }
}
