import ERPKernel
import Foundation
import Hummingbird
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
            guard let monitor = try await monitoring.stop(id, actor: identity.subject, tenant: identity.tenantID, trace: context.trace) else {
                throw Problem.notFound("There is no monitor \(id).")
            }
            return try Response.json(monitor)
        }
        router.post("/api/v1/compliance/monitors/{id}/measurements", use: recordMeasurements)
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
                let note = try await request.decodeJSON(Strict<AlertNoteRequest>.self, context: context).value.note
                try Check.fail(Check.text(note, "note", length: 1...2000, required: status == .resolved))
                guard let alert = try await monitoring.move(id, to: status, note: note, actor: identity.subject, tenant: identity.tenantID, trace: context.trace) else {
                    throw Problem.notFound("There is no alert \(id).")
                }
                return try Response.json(alert)
            }
        }
    }

    enum Flag: String, CaseIterable { case `true`, `false` }

    func startMonitor(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let identity = try context.require(.complianceWrite)
        var request = request
        let (input, body) = try await request.strictBody(NewMonitorRequest.self, context: context)
        let thresholds = input.thresholds?.map(\.value)
        try Check.fail(ComplianceCheck.findings(thresholds))
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
        let rows = try await request.decodeJSON(MeasurementsRequest.self, context: context).measurements
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
        guard let alerts = try await monitoring.record(valid, monitor: id, tenant: identity.tenantID, trace: context.trace) else {
            throw Problem.notFound("There is no monitor \(id).")
        }
        return try Response.json(MeasurementReceipt(accepted: valid.count, rejected: rejected, alerts: alerts))
    }

    private func existingMonitor(_ context: ServiceContext, _ identity: Identity) async throws -> Monitor {
        let id = try context.id()
        guard let monitor = try await monitoring.monitor(id, tenant: identity.tenantID) else { throw Problem.notFound("There is no monitor \(id).") }
        return monitor
    }
}
