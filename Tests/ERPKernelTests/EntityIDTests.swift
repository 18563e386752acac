import Foundation
import Testing
@testable import ERPKernel

@Suite struct EntityIDTests {
    @Test func idsAreVersion7WithTheRFCVariant() {
        let id = EntityID.generate()
        let bytes = id.uuid.uuid
        #expect(bytes.6 >> 4 == 7)
        #expect(bytes.8 >> 6 == 0b10)
    }

    @Test func idsCarryTheCurrentTime() {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = EntityID.generate()
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        #expect((before...after + 1).contains(id.unixMilliseconds))
    }

    @Test func idsFromOneGeneratorStrictlyIncreaseWithinOneMillisecond() {
        let generator = UUIDv7Generator(now: { 1_700_000_000_000 })
        var previous = generator.next()
        for _ in 0..<10_000 {
            let next = generator.next()
            #expect(previous < next)
            previous = next
        }
    }

    @Test func textRoundTripsInLowerCase() throws {
        let id = EntityID.generate()
        #expect(id.description == id.description.lowercased())
        #expect(EntityID(id.description) == id)
        #expect(id.description == id.uuid.uuidString.lowercased())
        #expect(EntityID("not-a-uuid") == nil)
        #expect(EntityID(id.uuid.uuidString) == id)  // upper case is read too
        for bad in ["", "01a212a0-e7e3-76be-817f-13c8e4c17b3", "01a212a0-e7e3-76be-817f-13c8e4c17b3e0", "01a212a0e7e3-76be-817f-13c8e4c17b3e0",
                    "01a212a0-e7e3-76be-817f-13c8e4c17b3g", "01a212a0_e7e3-76be-817f-13c8e4c17b3e"] {
            #expect(EntityID(bad) == nil, "\(bad)")
        }
        let decoded = try JSONDecoder().decode([EntityID].self, from: JSONEncoder().encode([id]))
        #expect(decoded == [id])
    }
}
