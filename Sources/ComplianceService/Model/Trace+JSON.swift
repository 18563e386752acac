import ERPKernel
import Foundation
import ServiceRuntime

// Traces and recall reports may hold tens of thousands of movements: written straight to JSON,
// with the same text the encoder would give.

extension Trace {
    var jsonData: Data {
        var json = JSONWriter(capacity: 512 + 400 * movements.count)
        json.object { json in
            json.field("batchId", batchId.description)
            json.array("batches", batches) { json, batch in batch.write(into: &json) }
            json.field("complete", complete)
            json.field("direction", direction.rawValue)
            json.array("movements", movements) { json, movement in movement.write(into: &json) }
        }
        return json.data
    }
}

extension RecallReport {
    var jsonData: Data {
        var json = JSONWriter(capacity: 512 + 400 * customers.reduce(0) { $0 + $1.deliveries.count })
        json.object { json in
            json.field("batchId", batchId.description)
            json.field("batchNumber", batchNumber)
            json.array("batches", batches) { json, batch in batch.write(into: &json) }
            json.field("complete", complete)
            json.array("customers", customers) { json, customer in
                json.object { json in
                    json.field("city", customer.city)
                    json.array("deliveries", customer.deliveries) { json, delivery in delivery.write(into: &json) }
                    json.field("name", customer.name)
                    json.field("partnerId", customer.partnerId?.description)
                }
            }
            json.field("generatedAt", generatedAt)
        }
        return json.data
    }
}

extension TracedBatch {
    fileprivate func write(into json: inout JSONWriter) {
        json.object { json in
            json.field("articleId", articleId?.description)
            json.field("batchId", batchId.description)
            json.field("batchNumber", batchNumber)
            json.field("generation", generation)
        }
    }
}

extension TracedMovement {
    fileprivate func write(into json: inout JSONWriter) {
        json.object { json in
            json.field("articleId", articleId.description)
            json.field("articleName", articleName)
            json.field("batchId", batchId.description)
            json.field("batchNumber", batchNumber)
            json.field("date", date)
            json.field("kind", kind)
            json.field("partnerCity", partnerCity)
            json.field("partnerId", partnerId?.description)
            json.field("partnerName", partnerName)
            json.field("quantity", quantity)
            json.field("transactionId", transactionId.description)
            json.field("unit", unit)
        }
    }
}
