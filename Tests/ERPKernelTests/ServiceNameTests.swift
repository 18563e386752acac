import Testing
@testable import ERPKernel

@Suite struct ServiceNameTests {
    @Test func thereAreTheTenServicesOfTheArchitecture() {
        #expect(ServiceName.allCases.count == 10)
    }

    @Test func noTwoServicesClaimTheSamePrefix() {
        let prefixes = ServiceName.allCases.flatMap(\.publicPathPrefixes)
        #expect(Set(prefixes).count == prefixes.count)
    }

    @Test func servicesThatOwnDataHaveADatabase() {
        #expect(ServiceName.users.database == .main)
        #expect(ServiceName.transactions.database == .main)
        #expect(ServiceName.audit.database == .audit)
        #expect(ServiceName.gateway.database == nil)
        #expect(Set(ServiceName.allCases.compactMap(\.database)) == Set(DatabaseName.allCases))
    }
}
