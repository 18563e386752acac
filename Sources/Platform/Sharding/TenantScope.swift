import ERPKernel

/// The tenant whose data the current task works on. A sharded database routes every read and
/// write by it; the authentication middleware sets it for the length of a request.
public enum TenantScope {
    @TaskLocal public static var current: TenantID?
}
