import ERPKernel
import Foundation
import Hummingbird
import NIOCore
import Platform
import ServiceRuntime

extension ComplianceServiceModule {
    static let maximumMeasurementsPerUpload = 10_000

    func addMonitoringRoutes(to router: Router<ServiceContext>) {
        router.post("/api/v1/compliance/monitors", use: startMonitor)
        router.get("/api/v1/compliance/monitors") { request, context in
            let identity = try context.require(.complianceRead)
            let active = try request.choice("active", Flag.self).map { $0 == .true }
            return try Response.json(try await monitoring.monitors(tenant: identity.tenantID, active: active, page: try request.page()), etagFor: request)
        }
        router.get("/api/v1/compliance/monitors/{id}") { request, context in
            let identity = try context.require(.complianceRead)
            return try Response.json(try await existingMonitor(context, identity), etagFor: request)
        }
        router.post("/api/v1/compliance/monitors/{id}/stop") { request, context in
            let identity = try context.require(.complianceWrite)
            let id = try context.id()
            return try await idempotency.run(request, body: ByteBuffer(), tenant: identity.tenantID) { key in
                guard let monitor = try await monitoring.stop(id, actor: identity.subject, tenant: identity.tenantID, trace: context.trace, also: Self.recording(key))
                else { throw Problem.notFound("There is no monitor \(id).") }
                return try StoredResponse(status: .ok, monitor)
            }
        }
        router.post("/api/v1/compliance/monitors/{id}/measurements", use: recordMeasurements)
        router.get("/api/v1/compliance/monitors/{id}/measurements") { request, context in
            let identity = try context.require(.complianceRead)
            let monitor = try await existingMonitor(context, identity)
            let property = request.uri.queryParameters.get("property").map { String($0) }
            if let property, !ComplianceCheck.isKey(property) {
                throw Problem.validation("property is a measured property's key.", invalidParams: [InvalidParam(name: "property", reason: "lower-case letters, digits and _")])
            }
            return try Response.json(
                try await monitoring.measurements(of: monitor.id, property: property, tenant: identity.tenantID, page: try request.page()),
                etagFor: request)
        }
        router.get("/api/v1/compliance/alerts") { request, context in
            let identity = try context.require(.complianceRead)
            let status = try request.choice("status", AlertStatus.self)
            return try Response.json(try await monitoring.alerts(tenant: identity.tenantID, status: status, page: try request.page()), etagFor: request)
        }
        router.get("/api/v1/compliance/alerts/{id}") { request, context in
            let identity = try context.require(.complianceRead)
            let id = try context.id()
            guard let alert = try await monitoring.alert(id, tenant: identity.tenantID) else { throw Problem.notFound("There is no alert \(id).") }
            return try Response.json(alert, etagFor: request)
        }
        for (path, status) in [("acknowledge", AlertStatus.acknowledged), ("resolve", .resolved)] {
            router.post(RouterPath("/api/v1/compliance/alerts/{id}/\(path)")) { request, context in
                let identity = try context.require(.complianceWrite)
                let id = try context.id()
                var request = request
                let (input, body) = try await request.strictBody(AlertNoteRequest.self, context: context)
                try Check.fail(Check.text(input.note, "note", length: 1...2000, required: status == .resolved))
                return try await idempotency.run(request, body: body, tenant: identity.tenantID) { key in
                    guard let alert = try await monitoring.move(
                        id, to: status, note: input.note, actor: identity.subject, tenant: identity.tenantID, trace: context.trace,
                        also: Self.recording(key))
                    else { throw Problem.notFound("There is no alert \(id).") }
                    return try StoredResponse(status: .ok, alert)
                }
            }
        }
    }

    /// Records the answer with the write, when the request had an idempotency key.
    static func recording<T: Encodable & Sendable>(_ key: IdempotencyKey?) -> (@Sendable (any SQLExecutor, T) throws -> Void)? {
        guard let key else { return nil }
        return { tx, value in try IdempotencyKeys.record(key, try StoredResponse(status: .ok, value), in: tx) }
    }

    enum Flag: String, CaseIterable { case `true`, `false` }

    func startMonitor(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.complianceWrite)
        var request = request
        let (input, body) = try await request.strictBody(NewMonitorRequest.self, context: context)
        let thresholds = input.thresholds?.map(\.value)
        try Check.fail(ComplianceCheck.findings(thresholds))
        try Check.refuse(ComplianceCheck.conflicts(thresholds))
        return try await idempotency.run(request, body: body, tenant: identity.tenantID) { key in
            let monitor = try await monitoring.start(
                target: input.target.value, thresholds: thresholds, checkType: input.checkType ?? .qs, actor: identity.subject,
                tenant: identity.tenantID, trace: context.trace
            ) { tx, monitor in
                if let key { try IdempotencyKeys.record(key, try StoredResponse(status: .created, monitor), in: tx) }
            }
            return try StoredResponse(status: .created, monitor)
        }
    }

    /// Stores every valid row and reports each refused one with its problems.
    func recordMeasurements(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.complianceWrite)
        let id = try context.id()
        var request = request
        let (input, body) = try await request.jsonBody(MeasurementsRequest.self, context: context)
        let rows = input.measurements
        guard (1...Self.maximumMeasurementsPerUpload).contains(rows.count) else {
            throw Problem.validation(
                "Send 1 to \(Self.maximumMeasurementsPerUpload) measurements at a time.",
                invalidParams: [InvalidParam(name: "measurements", reason: "1 to \(Self.maximumMeasurementsPerUpload) rows")])
        }
        var valid: [MonitoringStore.Measurement] = []
        var rejected: [MeasurementReceipt.RejectedRow] = []
        let now = Date.nowInWholeSeconds
        for (index, row) in rows.enumerated() {
            switch ComplianceCheck.measurement(row, index: index, now: now) {
            case .success(let measurement): valid.append(measurement)
            case .failure(let findings): rejected.append(.init(index: index, invalidParams: findings.invalidParams))
            }
        }
        let accepted = valid.count
        let refused = rejected
        return try await idempotency.run(request, body: body, tenant: identity.tenantID) { [valid] key in
            // A retry under the same key gets this answer back instead of storing the rows twice.
            var recording: (@Sendable (any SQLExecutor, [Alert]) throws -> Void)?
            if let key {
                recording = { tx, alerts in
                    let receipt = MeasurementReceipt(accepted: accepted, rejected: refused, alerts: alerts)
                    try IdempotencyKeys.record(key, try StoredResponse(status: .ok, receipt), in: tx)
                }
            }
            guard let alerts = try await monitoring.record(valid, monitor: id, tenant: identity.tenantID, trace: context.trace, also: recording) else {
                throw Problem.notFound("There is no monitor \(id).")
            }
            return try StoredResponse(status: .ok, MeasurementReceipt(accepted: accepted, rejected: refused, alerts: alerts))
        }
    }

    private func existingMonitor(_ context: ServiceContext, _ identity: Identity) async throws -> Monitor {
        let id = try context.id()
        guard let monitor = try await monitoring.monitor(id, tenant: identity.tenantID) else { throw Problem.notFound("There is no monitor \(id).") }
        return monitor
    }
}
