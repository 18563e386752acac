import ERPKernel
import Foundation
import Hummingbird
import NIOCore
import ServiceRuntime

extension ComplianceServiceModule {
    func addTraceRoutes(to router: Router<ServiceContext>) {
        router.get("/api/v1/compliance/batches/{id}/trace") { request, context in
            let identity = try context.require(.complianceRead)
            let direction = try request.choice("direction", TraceDirection.self) ?? .forward
            return Response.json(encoded: try await traces.trace(try context.id(), direction: direction, tenant: identity.tenantID).jsonData, etagFor: request)
        }
        router.get("/api/v1/compliance/batches/{id}/recall-report") { request, context in
            let identity = try context.require(.complianceRead)
            let format = try request.choice("format", ReportFormat.self) ?? (request.headers[.accept]?.contains("text/csv") == true ? .csv : .json)
            let trace = try await traces.trace(try context.id(), direction: .forward, tenant: identity.tenantID)
            let report = RecallReport(trace: trace, generatedAt: Date.nowInWholeSeconds)
            guard format == .csv else { return Response.json(encoded: ByteBuffer(bytes: report.jsonData)) }
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"recall-\(report.batchNumber ?? report.batchId.description).csv\""
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: report.csv)))
        }
    }

    enum ReportFormat: String, CaseIterable { case json, csv }
}
