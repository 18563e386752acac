import ERPKernel
import Foundation
import Mesh

/// One process of a service that this process calls: `users=http://10.0.0.5:8080`, or with the
/// version label the traffic split names, `users@canary=http://10.0.0.6:8080`.
struct UpstreamReplica: Sendable, Equatable {
    var url: String
    var version: String

    /// The service and replica of one `NAME[@VERSION]=URL` entry; nil when it is not one.
    static func parse(_ entry: String) -> (ServiceName, UpstreamReplica)? {
        guard let match = entry.trimmingCharacters(in: .whitespaces).wholeMatch(of: /([a-z]+)(?:@([A-Za-z0-9._-]{1,32}))?=(.+)/),
            let service = ServiceName(rawValue: String(match.1)),
            let url = URL(string: String(match.3)), ["http", "https"].contains(url.scheme ?? ""), url.host != nil
        else { return nil }
        return (service, UpstreamReplica(url: String(match.3), version: match.2.map(String.init) ?? Replica.defaultVersion))
    }
}
