import ERPKernel

/// Collects debits and credits per account and tax code, and yields balanced journal lines.
struct JournalBuilder {
    private struct Key: Hashable {
        let account: String
        let taxCode: String?
    }

    private var amounts: [Key: Int] = [:]
    private var order: [Key] = []
    let partnerId: EntityID?

    init(partnerId: EntityID?) { self.partnerId = partnerId }

    mutating func debit(_ account: String, _ amountMinor: Int, taxCode: String? = nil) {
        add(Key(account: account, taxCode: taxCode), amountMinor)
    }

    mutating func credit(_ account: String, _ amountMinor: Int, taxCode: String? = nil) {
        add(Key(account: account, taxCode: taxCode), -amountMinor)
    }

    private mutating func add(_ key: Key, _ signed: Int) {
        guard signed != 0 else { return }
        if amounts[key] == nil { order.append(key) }
        amounts[key, default: 0] += signed
    }

    /// One line per account and tax code with its net side; debits first, as a Buchungssatz reads.
    func lines() -> [JournalLine] {
        let lines = order.compactMap { key -> JournalLine? in
            let net = amounts[key] ?? 0
            guard net != 0 else { return nil }
            return JournalLine(
                account: key.account, debitMinor: max(net, 0), creditMinor: max(-net, 0), taxCode: key.taxCode,
                partnerId: partnerId)
        }
        return lines.filter { $0.debitMinor > 0 } + lines.filter { $0.creditMinor > 0 }
    }
}

extension [JournalLine] {
    var isBalanced: Bool { reduce(0) { $0 + $1.debitMinor } == reduce(0) { $0 + $1.creditMinor } }

    /// The Storno lines: every debit becomes a credit and the other way round.
    var reversed: [JournalLine] {
        map { JournalLine(account: $0.account, debitMinor: $0.creditMinor, creditMinor: $0.debitMinor, taxCode: $0.taxCode, partnerId: $0.partnerId) }
    }
}
