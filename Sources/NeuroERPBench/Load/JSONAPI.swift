import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// JSON calls for seeding and checking, over a few connections of their own.
struct JSONAPI: Sendable {
    let host: String
    let port: Int
    var token: String?

    /// The decoded answer; anything but `expected` is a failure that names the call and the answer.
    func call(_ connection: LoadConnection, _ method: HTTPMethod, _ path: String, _ json: Any? = nil, expected: Set<Int> = [200, 201]) async throws -> [String: Any] {
        let (status, body) = try await send(connection, method, path, json)
        guard expected.contains(status) else { throw BenchFailure("\(method) \(path) answered \(status): \(String(decoding: body, as: UTF8.self).prefix(500))") }
        return (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
    }

    func send(_ connection: LoadConnection, _ method: HTTPMethod, _ path: String, _ json: Any? = nil) async throws -> (Int, Data) {
        var request = LoadRequest(method: method, path: path, headers: [("Accept", "application/json")])
        if let token { request.headers.append(("Authorization", "Bearer \(token)")) }
        if let json {
            request.headers.append(("Content-Type", "application/json"))
            request.body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        }
        let response = try await connection.send(request, timeout: .seconds(60))
        return (response.status, Data(response.body.readableBytesView))
    }

    /// `work` for each element, `width` at a time, each worker on a connection of its own; the
    /// results in the elements' order. Prints progress to stderr under `label`.
    func each<T: Sendable, R: Sendable>(
        _ label: String, _ elements: [T], width: Int = 16, _ work: @escaping @Sendable (LoadConnection, T) async throws -> R
    ) async throws -> [R] {
        let next = Ticker()
        let results = try await withThrowingTaskGroup(of: [(Int, R)].self) { group in
            for _ in 0..<min(width, elements.count) {
                group.addTask {
                    let connection = try await LoadConnection.connect(host: host, port: port)
                    defer { Task { await connection.close() } }
                    var done: [(Int, R)] = []
                    while true {
                        let index = next.next()
                        guard index < elements.count else { return done }
                        done.append((index, try await work(connection, elements[index])))
                        if (index + 1) % 500 == 0 { FileHandle.standardError.write(Data("  \(label): \(index + 1) of \(elements.count)\n".utf8)) }
                    }
                }
            }
            var all: [(Int, R)] = []
            for try await part in group { all += part }
            return all
        }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// Hands out 0, 1, 2, … to concurrent takers.
final class Ticker: Sendable {
    private let counter = Atomic<Int>(0)

    func next() -> Int { counter.wrappingAdd(1, ordering: .relaxed).oldValue }
}
