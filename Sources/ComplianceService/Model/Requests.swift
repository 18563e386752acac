import ERPKernel
import Foundation
import ServiceRuntime

/// `POST /api/v1/compliance/batches/{id}/status`.
struct StatusChangeRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["status", "reason"]
    let status: BatchStatus
    /// Why: the check result, the complaint, the authority's order.
    let reason: String
}

/// `PUT /api/v1/compliance/psm-approvals/{number}`.
struct PSMApprovalRequest: Codable, Sendable, KnownFields {
    static let fields: Set<String> = ["holder", "expiresOn", "restrictions", "articleIds"]
    let holder: String
    let expiresOn: String
    let restrictions: [String]?
    let articleIds: [EntityID]?
}

/// Shape checks of compliance requests, each naming its field.
enum ComplianceCheck {
    static let maximumRestrictions = 50
    static let maximumArticles = 100

    static func findings(_ request: StatusChangeRequest) -> [InvalidParam] {
        Check.text(request.reason, "reason", length: 1...500)
    }

    static func findings(_ request: PSMApprovalRequest, number: String) -> [InvalidParam] {
        var findings = Check.text(request.holder, "holder", length: 1...200) + Check.date(request.expiresOn, "expiresOn", required: true)
        if !isApprovalNumber(number) { findings.append(InvalidParam(name: "number", reason: "1 to 32 letters, digits and dashes")) }
        let restrictions = request.restrictions ?? []
        if restrictions.count > maximumRestrictions {
            findings.append(InvalidParam(name: "restrictions", reason: "at most \(maximumRestrictions)"))
        }
        for (index, restriction) in restrictions.enumerated() {
            findings += Check.text(restriction, "restrictions[\(index)]", length: 1...500)
        }
        if (request.articleIds ?? []).count > maximumArticles {
            findings.append(InvalidParam(name: "articleIds", reason: "at most \(maximumArticles)"))
        }
        return findings
    }

    /// BVL approval numbers such as `024567-00`: letters, digits and dashes.
    static func isApprovalNumber(_ text: String) -> Bool {
        (1...32).contains(text.utf8.count)
            && text.utf8.allSatisfy { $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
    }
}
