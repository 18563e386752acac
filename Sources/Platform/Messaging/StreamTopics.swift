/// Events travel on one Redis stream per topic, an event type's first two segments
/// (`transactions.stock` for `transactions.stock.changed.v1`), so a consumer reads the topics it
/// wants instead of every event of the system. With one stream, each service's consumers read,
/// decoded and acknowledged every event: the compliance service read three events of every sale
/// for each of its two consumers, and the users service three for its cache, to use two.
///
/// Order holds within a topic. A consumer that reads several topics gets a read's entries ordered
/// by their IDs, which Redis takes from its clock: across topics, events published within the
/// same millisecond may come in either order.
struct StreamTopics: Sendable {
    let keyPrefix: String

    /// A set of every topic published to, for consumers that want a family of topics (`auth.`).
    var registry: String { keyPrefix + "event-topics" }

    func stream(of topic: String) -> String { keyPrefix + "events:" + topic }

    static func topic(of type: String) -> String {
        let segments = type.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        return segments.count >= 2 ? "\(segments[0]).\(segments[1])" : type
    }

    /// The topics a subscriber's type prefixes name, and the prefixes that name a family of
    /// topics (none at all: every topic).
    struct Selection: Sendable {
        var topics: Set<String> = []
        var families: [String] = []

        init(typePrefixes: [String]) {
            guard !typePrefixes.isEmpty else {
                families = [""]
                return
            }
            for prefix in typePrefixes {
                let segments = prefix.split(separator: ".", omittingEmptySubsequences: false)
                // `users.user.` names one topic; `auth.` and `transactions.trans` name families.
                if segments.count >= 3 {
                    topics.insert("\(segments[0]).\(segments[1])")
                } else {
                    families.append(prefix)
                }
            }
        }

        func wants(_ topic: String) -> Bool {
            topics.contains(topic) || families.contains { (topic + ".").hasPrefix($0) }
        }
    }
}
