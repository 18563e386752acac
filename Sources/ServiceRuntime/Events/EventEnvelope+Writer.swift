import ERPKernel

extension EventEnvelope {
    /// `<service>.<type>.v1` from `service`, its payload one JSON object written member by member
    /// (in sorted key order): events made on a hot path skip the `Encoder` machinery.
    public static func make(
        _ service: ServiceName, _ type: String, tenant: TenantID?, subject: String?, trace: TraceContext?,
        payload: (inout JSONWriter) -> Void
    ) -> EventEnvelope {
        var json = JSONWriter(capacity: 512)
        json.object(payload)
        return EventEnvelope(
            type: "\(service.rawValue).\(type).v1", source: service.rawValue, tenantID: tenant, subject: subject,
            traceID: trace?.traceID, payload: json.data)
    }
}
