@testable import Platform
import Testing

/// Which Redis stream an event goes to, and which streams a subscriber reads.
@Suite struct StreamTopicsTests {
    @Test func anEventsTopicIsTheFirstTwoSegmentsOfItsType() {
        #expect(StreamTopics.topic(of: "transactions.stock.changed.v1") == "transactions.stock")
        #expect(StreamTopics.topic(of: "users.user") == "users.user")
        #expect(StreamTopics.topic(of: "ping") == "ping")
        #expect(StreamTopics(keyPrefix: "erp:").stream(of: "users.user") == "erp:events:users.user")
    }

    @Test func aSubscriberReadsTheTopicsItsPrefixesNameOrAFamilyOfThem() {
        let movements = StreamTopics.Selection(typePrefixes: ["transactions.transaction.posted.", "transactions.stock.changed."])
        #expect(movements.topics == ["transactions.transaction", "transactions.stock"])
        #expect(movements.families.isEmpty)
        #expect(!movements.wants("transactions.journal_entry"))

        let audit = StreamTopics.Selection(typePrefixes: ["auth.", "transactions.trans"])
        #expect(audit.topics.isEmpty)
        #expect(audit.wants("auth.login"))
        #expect(audit.wants("transactions.transaction"))
        #expect(!audit.wants("authority.x"))
        #expect(!audit.wants("transactions.stock"))

        let everything = StreamTopics.Selection(typePrefixes: [])
        #expect(everything.wants("anything.at_all"))
    }
}
