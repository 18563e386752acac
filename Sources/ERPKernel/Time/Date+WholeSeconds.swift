import Foundation

extension Date {
    /// Now, to the second: what RFC 3339 timestamps in the databases and documents keep.
    public static var nowInWholeSeconds: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}
