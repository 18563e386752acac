import ERPKernel
import Foundation
import Mesh
import NIOCore
import ServiceRuntime
import Synchronization

/// What `/api/v1/system/services` reports: every service asked concurrently for its info, the
/// answer shared by all callers for `maxAge`, so a burst of callers costs one round of calls.
final class ServiceStatusBoard: Sendable {
    /// The list and its encoded page, encoded once per refresh rather than once per request.
    struct Snapshot: Sendable {
        var services: [ServiceInfo] = []
        var page = ByteBuffer()
    }

    private struct State {
        var snapshot = Snapshot()
        var takenAt: ContinuousClock.Instant?
        var refresh: Task<Snapshot, Never>?
    }

    private let directory: ServiceDirectory
    private let gatewayInfo: ServiceInfo
    private let maxAge: Duration
    private let state = Mutex(State())
    /// A service that does not answer its info within this time counts as down.
    static let infoTimeout: Duration = .seconds(1)

    init(directory: ServiceDirectory, gatewayInfo: ServiceInfo, maxAge: Duration) {
        self.directory = directory
        self.gatewayInfo = gatewayInfo
        self.maxAge = maxAge
    }

    func current(trace: TraceContext) async -> Snapshot {
        let now = ContinuousClock.now
        let task = state.withLock { state -> Task<Snapshot, Never>? in
            if let takenAt = state.takenAt, now - takenAt < maxAge { return nil }
            if let refresh = state.refresh { return refresh }
            let refresh = Task {
                let services = await self.collect(trace: trace)
                let page = (try? JSONCoding.encoder.encode(Page(data: services, nextCursor: nil))) ?? Data()
                return Snapshot(services: services, page: ByteBuffer(bytes: page))
            }
            state.refresh = refresh
            return refresh
        }
        guard let task else { return state.withLock { $0.snapshot } }
        let snapshot = await task.value
        state.withLock { state in
            if state.refresh == task {
                state.snapshot = snapshot
                state.takenAt = .now
                state.refresh = nil
            }
        }
        return snapshot
    }

    /// One service's info, asked now.
    func info(of service: ServiceName, trace: TraceContext) async -> ServiceInfo {
        guard service != .gateway else { return gatewayInfo }
        let client = directory.client(for: service)
        do {
            let response = try await client.send(
                ServiceRequest(path: service.internalPathPrefix + "/info"), trace: trace, timeout: Self.infoTimeout)
            guard response.status == .ok else { return down(service, client) }
            var info = try JSONCoding.decoder.decode(ServiceInfo.self, from: Data(response.body.readableBytesView))
            info.name = service.rawValue  // the list is keyed by what was asked, whatever the answer says
            info.address = client.address
            info.status = "up"
            return info
        } catch {
            return down(service, client)
        }
    }

    private func collect(trace: TraceContext) async -> [ServiceInfo] {
        await withTaskGroup(of: ServiceInfo.self) { group in
            for service in ServiceName.allCases {
                group.addTask { await self.info(of: service, trace: trace) }
            }
            var infos: [ServiceInfo] = []
            for await info in group { infos.append(info) }
            let order = ServiceName.allCases.map(\.rawValue)
            return infos.sorted { order.firstIndex(of: $0.name)! < order.firstIndex(of: $1.name)! }
        }
    }

    private func down(_ service: ServiceName, _ client: any ServiceClient) -> ServiceInfo {
        ServiceInfo(
            name: service.rawValue, version: "unknown", mode: gatewayInfo.mode, address: client.address,
            status: "down", databases: [])
    }
}
