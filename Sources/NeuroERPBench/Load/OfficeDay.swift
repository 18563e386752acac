import NIOCore
import NIOHTTP1

/// The requests of an office day in the Landhandel, by share: about 70 % reads (look-ups of
/// articles, stock, partners and open items, the user's own profile, reports), 25 % posted
/// sales, 5 % other writes (new partners and batches).
enum OfficeDay {
    enum Kind: String, CaseIterable, Sendable {
        case article, articleList, stock, partner, openItems, profile, transactionList, trialBalance, stockValuation
        case sale
        case newPartner, newBatch

        /// Out of 100.
        var weight: Int {
            switch self {
            case .article: 12
            case .articleList: 8
            case .stock: 12
            case .partner: 8
            case .openItems: 8
            case .profile: 10
            case .transactionList: 6
            case .trialBalance: 4
            case .stockValuation: 2
            case .sale: 25
            case .newPartner: 3
            case .newBatch: 2
            }
        }

        var share: Share {
            switch self {
            case .sale: .post
            case .newPartner, .newBatch: .write
            default: .read
            }
        }
    }

    enum Share: String, CaseIterable, Sendable {
        case read, post, write
    }

    private static let wheel: [Kind] = Kind.allCases.flatMap { Array(repeating: $0, count: $0.weight) }

    static func pick(_ random: inout SplitMix) -> Kind {
        wheel[random.next(below: wheel.count)]
    }

    /// The request of `kind` as user `token` sends it; `key` makes an Idempotency-Key or name unique.
    static func request(_ kind: Kind, plan: LoadPlan, token: String, key: String, random: inout SplitMix) -> LoadRequest {
        let batch = plan.stocked[random.next(below: plan.stocked.count)]
        let customer = plan.customers[random.next(below: plan.customers.count)]
        var request = LoadRequest(method: .GET, path: "", headers: [("Authorization", "Bearer \(token)")])
        switch kind {
        case .article: request.path = "/api/v1/articles/\(batch.article)"
        case .articleList: request.path = "/api/v1/articles?category=\(["seed", "fertiliser", "feed", "grain"][random.next(below: 4)])&limit=20"
        case .stock: request.path = "/api/v1/stock?articleId=\(batch.article)"
        case .partner: request.path = "/api/v1/partners/\(customer)"
        case .openItems: request.path = "/api/v1/open-items?partnerId=\(customer)"
        case .profile: request.path = "/api/v1/users/me"
        case .transactionList: request.path = "/api/v1/transactions?partnerId=\(customer)&limit=20"
        case .trialBalance: request.path = "/api/v1/ledger/trial-balance?fiscalYear=\(plan.fiscalYear)"
        case .stockValuation: request.path = "/api/v1/stock/valuation"
        case .sale:
            let items = (0...random.next(below: 3)).map { _ in
                let item = plan.stocked[random.next(below: plan.stocked.count)]
                return #"{"articleId": "\#(item.article)", "batchId": "\#(item.batch)", "locationId": "\#(item.location)", "quantity": "1", "unitPrice": "0.89"}"#
            }
            request.method = .POST
            request.path = "/api/v1/transactions"
            request.headers.append(("Idempotency-Key", key))
            request.body = json(#"{"kind": "sale", "partnerId": "\#(customer)", "date": "\#(plan.date)", "items": [\#(items.joined(separator: ", "))]}"#)
        case .newPartner:
            request.method = .POST
            request.path = "/api/v1/partners"
            request.body = json(#"{"name": "Neukunde \#(key)", "roles": ["customer"], "address": {"country": "DE"}}"#)
        case .newBatch:
            request.method = .POST
            request.path = "/api/v1/batches"
            request.body = json(#"{"articleId": "\#(batch.article)", "batchNumber": "N-\#(key)"}"#)
        }
        if request.body != nil { request.headers.append(("Content-Type", "application/json")) }
        return request
    }

    private static func json(_ text: String) -> ByteBuffer {
        ByteBuffer(string: text)
    }
}

/// A small, fast, seedable random source, so each simulated user's choices are repeatable.
struct SplitMix: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
