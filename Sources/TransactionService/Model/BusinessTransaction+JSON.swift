import Foundation
import ServiceRuntime

extension BusinessTransaction {
    /// The stored and returned document: the same bytes as `JSONCoding.encoder` gives, written
    /// by hand because every post encodes it inside the writer's transaction.
    var jsonDocument: Data {
        var json = JSONWriter(capacity: 384 + 320 * items.count)
        json.object { json in
            json.field("createdAt", createdAt)
            json.field("createdBy", createdBy.description)
            json.field("currency", currency)
            json.field("date", date)
            json.field("id", id.description)
            json.array("items", items) { json, item in item.write(into: &json) }
            json.field("journalEntryId", journalEntryId?.description)
            json.field("kind", kind.rawValue)
            json.field("partnerId", partnerId?.description)
            json.field("postedAt", postedAt)
            json.field("reference", reference)
            if let rejections {
                json.array("rejections", rejections) { json, rejection in
                    json.object { json in
                        json.field("name", rejection.name)
                        json.field("reason", rejection.reason)
                    }
                }
            }
            json.field("reversedById", reversedById?.description)
            json.field("reversesId", reversesId?.description)
            json.field("status", status.rawValue)
            json.object("totals") { json in
                json.field("grossMinor", totals.grossMinor)
                json.field("netMinor", totals.netMinor)
                json.field("taxMinor", totals.taxMinor)
            }
        }
        return json.data
    }
}

extension TransactionItem {
    fileprivate func write(into json: inout JSONWriter) {
        json.object { json in
            json.field("articleId", articleId.description)
            json.field("batchId", batchId.description)
            json.field("locationId", locationId.description)
            json.field("quantity", quantity)
            json.field("role", role?.rawValue)
            json.field("taxCode", taxCode)
            json.field("toLocationId", toLocationId?.description)
            json.field("unit", unit?.rawValue)
            json.field("unitPrice", unitPrice)
        }
    }
}
