import ERPTesting
import Foundation
import Platform
import Testing
@testable import AuthService

@Suite struct SigningKeyTests {
    static func keys() async throws -> (SigningKeys, any SQLDatabase) {
        let (database, _) = try await TestDatabase.make(name: "main")
        try await Migrator(database: database, logger: TestDatabase.logger).apply(AuthServiceModule.migrations(for: database.dialect))
        return (SigningKeys(database: database, accessTokenLifetime: .seconds(300)), database)
    }

    static func publishedKids(_ keys: SigningKeys) async throws -> [String] {
        let jwks = try JSONSerialization.jsonObject(with: try await keys.current().jwks) as? [String: Any]
        return (jwks?["keys"] as? [[String: Any]] ?? []).compactMap { $0["kid"] as? String }
    }

    @Test func aYoungKeyIsKeptAndAnOldOneReplaced() async throws {
        let (keys, database) = try await Self.keys()
        let first = try await keys.current().activeKid
        #expect(try await keys.rotate(ifOlderThan: .seconds(3600)) == false)
        #expect(try await keys.current().activeKid == first)
        #expect(try await keys.rotate(ifOlderThan: .zero) == true)
        let second = try await keys.current().activeKid
        #expect(second != first)
        #expect(Set(try await Self.publishedKids(keys)) == [first, second])
        await database.close()
    }

    @Test func aKeyRetiredLongAgoIsNoLongerPublished() async throws {
        let (keys, database) = try await Self.keys()
        let first = try await keys.current().activeKid
        try await keys.rotate()
        try await database.write {
            try $0.execute("UPDATE auth_signing_keys SET retired_at = '2020-01-01T00:00:00Z' WHERE kid = ?", [.text(first)])
        }
        keys.reload()
        #expect(try await Self.publishedKids(keys) == [try await keys.current().activeKid])
        await database.close()
    }

    @Test func anotherProcessesKeyIsPickedUpOnReload() async throws {
        let (keys, database) = try await Self.keys()
        let other = SigningKeys(database: database, accessTokenLifetime: .seconds(300))
        let first = try await keys.current().activeKid
        try await other.rotate()
        #expect(try await keys.current().activeKid == first)  // still the loaded one
        keys.reload()
        #expect(try await keys.current().activeKid == (try await other.current().activeKid))
        await database.close()
    }
}
