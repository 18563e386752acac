import Testing
@testable import ERPKernel

@Suite struct PageRequestTests {
    @Test func defaultsToFifty() throws {
        #expect(try PageRequest.parse(limit: nil, cursor: nil) == PageRequest(limit: 50))
    }

    @Test(arguments: ["0", "501", "-1", "ten", "1.5"])
    func rejectsLimitsOutsideOneToFiveHundred(_ limit: String) {
        #expect {
            try PageRequest.parse(limit: limit, cursor: nil)
        } throws: { error in
            let problem = error as? Problem
            return problem?.status == 400 && problem?.invalidParams.first?.name == "limit"
        }
    }

    @Test func keepsTheCursor() throws {
        #expect(try PageRequest.parse(limit: "500", cursor: "abc") == PageRequest(limit: 500, cursor: "abc"))
    }
}
