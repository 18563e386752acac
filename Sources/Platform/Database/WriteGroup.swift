/// What the writes of one group commit share beside their transaction: rows that one write read
/// or decided, for the writes after it, and rows whose final state is written once for the
/// whole group, just before COMMIT, instead of once by every write. A write that fails leaves
/// no trace here, as its savepoint leaves none in the database.
///
/// Why: the postings of a group all touch the same few rows (an article's stock, the revenue
/// account's balance, the year's entry counter). Read and written by each posting, those rows
/// cost every posting round trips to a database server and leave the server a chain of row
/// versions to walk; kept here, they cost the group one read and one write each.
///
/// Touched on the writer's thread only, by one write at a time.
public final class WriteGroup: @unchecked Sendable {
    private var kept: [ObjectIdentifier: any GroupState] = [:]
    private var staged: [ObjectIdentifier: any GroupState] = [:]

    init() {}

    /// The group's `State` as the writes before this one left it; a new one at first.
    public func state<State: GroupState>(_ type: State.Type) -> State {
        let key = ObjectIdentifier(type)
        return (staged[key] ?? kept[key]) as? State ?? State()
    }

    /// Changes the group's `State` for this write and, once it succeeded, for the writes after it.
    public func update<State: GroupState, Result>(_ type: State.Type, _ change: (inout State) throws -> Result) rethrows -> Result {
        var state = state(type)
        let result = try change(&state)
        staged[ObjectIdentifier(type)] = state
        return result
    }

    func beginWrite() { staged = [:] }

    func keepWrite() {
        kept.merge(staged) { $1 }
        staged = [:]
    }

    func discardWrite() { staged = [:] }

    /// Writes every state's deferred rows inside the group's transaction, before it commits.
    func finish(on executor: any SQLExecutor) throws {
        for state in kept.values.sorted(by: { "\(type(of: $0))" < "\(type(of: $1))" }) {
            try state.writeDeferred(on: executor)
        }
        kept = [:]
    }
}

/// Rows a group's writes keep in their `WriteGroup`.
public protocol GroupState: Sendable {
    init()
    /// Writes the rows this state deferred to the end of the group (inside its transaction).
    func writeDeferred(on executor: any SQLExecutor) throws
}
