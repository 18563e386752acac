import Logging
import PostgresNIO

/// The writer's statements (`CombinedWrite`) the server keeps prepared on the writer's
/// connection, by text. A text is prepared once it has been sent twice (one-off shapes, such as
/// a consumer's batch of an unusual size, take no room), after the group that sent it, while the
/// connection is idle: a text the server refuses there fails nothing, and is then always sent
/// as before. Prepared through postgres-nio's future-based API, so running one costs the writer
/// no task.
///
/// Touched on the writer's thread only; one per connection (names die with it).
final class PreparedWrites: @unchecked Sendable {
    /// Texts prepared, refused or waiting at most, so a caller that builds many texts cannot
    /// grow the server's connection without end.
    static let capacity = 500
    /// Longer texts are never prepared: the server keeps a plan for each text on the connection.
    static let maximumLength = 32 * 1024

    let connection: PostgresConnection
    private var prepared: [String: PreparedQuery] = [:]
    private var refused: Set<String> = []
    private var wanted: [String] = []
    /// Texts sent once and not prepared; forgotten all at once when it grows past its bound.
    private var seenOnce: Set<String> = []

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The prepared statement for `sql`; `nil` when it is not (yet) prepared. Sent for the
    /// second time, it is prepared after this group, if there is room.
    func statement(_ sql: String) -> PreparedQuery? {
        if let statement = prepared[sql] { return statement }
        guard sql.utf8.count <= Self.maximumLength, prepared.count + refused.count + wanted.count < Self.capacity,
            !refused.contains(sql), !wanted.contains(sql)
        else { return nil }
        if seenOnce.remove(sql) != nil {
            wanted.append(sql)
        } else {
            if seenOnce.count >= 4 * Self.capacity { seenOnce.removeAll() }
            seenOnce.insert(sql)
        }
        return nil
    }

    /// Prepares the texts asked for since the last call; run between groups, after their callers
    /// were answered.
    func prepareWanted(within answerLimit: TimeAmount, logger: Logger) {
        defer { wanted = [] }
        for sql in wanted where !connection.isClosed {
            do {
                prepared[sql] = try PostgresExecutor.answer(to: connection.prepare(query: sql), on: connection, within: answerLimit)
            } catch {
                refused.insert(sql)
                logger.debug("the writer sends a statement unprepared", metadata: ["sql": "\(sql.prefix(200))", "error": "\(error)"])
            }
        }
    }
}
