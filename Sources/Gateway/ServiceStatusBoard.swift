import ERPKernel
import Foundation
import Mesh
import ServiceRuntime
import Synchronization

/// What `/api/v1/system/services` reports: every service asked concurrently for its info, the
/// answer shared by all callers for `maxAge`, so a burst of callers costs one round of calls.
final class ServiceStatusBoard: Sendable {
    private struct State {
        var snapshot: [ServiceInfo] = []
        var takenAt: ContinuousClock.Instant?
        var refresh: Task<[ServiceInfo], Never>?
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

    func current(trace: TraceContext) async -> [ServiceInfo] {
        let now = ContinuousClock.now
        let task = state.withLock { state -> Task<[ServiceInfo], Never>? in
            if let takenAt = state.takenAt, now - takenAt < maxAge { return nil }
            if let refresh = state.refresh { return refresh }
            let refresh = Task { await self.collect(trace: trace) }
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
            return infos.sorted { ServiceName(rawValue: $0.name)! < ServiceName(rawValue: $1.name)! }
        }
    }

    private func down(_ service: ServiceName, _ client: any ServiceClient) -> ServiceInfo {
        ServiceInfo(
            name: service.rawValue, version: "unknown", mode: gatewayInfo.mode, address: client.address,
            status: "down", databases: [])
    }
}
