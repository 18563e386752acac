import Crypto
import Foundation

/// What the chain walk needs of a record: its position, its identity and its two hashes.
public struct ChainLink: Sendable, Equatable {
    public let seq: Int
    public let eventId: String
    public let prevHash: String
    public let hash: String
}

/// What is wrong with one place in a trail.
public struct ChainFinding: Sendable, Equatable, Codable {
    public enum Problem: String, Sendable, Codable {
        /// The record's content no longer matches its hash.
        case changed
        /// A record that belongs in the chain is missing.
        case removed
        /// A record that the chain does not run through.
        case inserted
        /// A checkpoint whose signature or hash does not hold.
        case checkpoint
    }

    public let seq: Int
    public let problem: Problem
    public let detail: String
    public let eventId: String?
}

/// The verdict on one tenant's trail.
public struct ChainReport: Sendable, Equatable, Codable {
    public let tenant: String
    public let valid: Bool
    public let records: Int
    public let checkpoints: Int
    public let lastCheckpointSeq: Int?
    /// Records after the last valid checkpoint: linked, but not yet sealed by a signature.
    public let unsealedRecords: Int
    public let keyId: String?
    public let findings: [ChainFinding]
    public let findingsTruncated: Bool
}

/// Walks a trail in `seq` order and names each record that was changed, removed or inserted.
///
/// Streaming, with one record of look-ahead: a record that does not link to the chain but whose
/// successor links past it was inserted. Used by `GET /api/v1/audit/verify` on the database and
/// by `neuroerp audit verify` on an export, so both judge alike.
public struct ChainVerifier {
    private let tenant: String
    private let publicKey: Curve25519.Signing.PublicKey?
    private var checkpoints: [AuditCheckpoint]
    private let findingLimit: Int
    private var nextCheckpoint = 0
    private var lastValidCheckpointSeq: Int?
    private var pending: (link: ChainLink, contentHolds: Bool)?
    private var lastJudgedSeq: Int?
    private var lastHash = AuditRecord.genesisHash
    private var lastSeq = 0
    private var lastContentHeld = true
    private var records = 0
    /// Records judged up to the last valid checkpoint.
    private var sealedRecords = 0
    private var findings: [ChainFinding] = []
    private var truncated = false

    /// - Parameters:
    ///   - publicKey: the key the checkpoints must be signed with; `nil` when none is known, and
    ///     then every checkpoint is a finding.
    public init(tenant: String, publicKey: Curve25519.Signing.PublicKey?, checkpoints: [AuditCheckpoint], findingLimit: Int = 1_000) {
        self.tenant = tenant
        self.publicKey = publicKey
        self.checkpoints = checkpoints.sorted { $0.seq < $1.seq }
        self.findingLimit = findingLimit
    }

    /// A checkpoint read along the way (an export has each right after its record). One that
    /// arrives after its record was judged is out of place: the file was rearranged.
    public mutating func add(_ checkpoint: AuditCheckpoint) {
        if let judged = lastJudgedSeq, checkpoint.seq <= judged {
            report(checkpoint.seq, .checkpoint, "the checkpoint comes after records that follow the one it seals", eventId: nil)
            return
        }
        checkpoints.append(checkpoint)
    }

    /// The next record in `seq` order.
    public mutating func add(_ record: AuditRecord) {
        add(record.link, contentHolds: record.contentMatchesHash)
    }

    /// The next record in `seq` order, as far as the walk needs it.
    /// - Parameter contentHolds: whether the record's content matches its hash, computed by the
    ///   caller (in parallel, or from an export's raw bytes); the walk itself is sequential.
    public mutating func add(_ link: ChainLink, contentHolds: Bool) {
        if let previous = pending { judge(previous.link, contentHolds: previous.contentHolds, next: link) }
        pending = (link, contentHolds)
    }

    public mutating func finish() -> ChainReport {
        if let last = pending { judge(last.link, contentHolds: last.contentHolds, next: nil) }
        pending = nil
        while nextCheckpoint < checkpoints.count {
            let checkpoint = checkpoints[nextCheckpoint]
            report(checkpoint.seq, .removed, "a checkpoint seals this record, but it is missing", eventId: nil)
            nextCheckpoint += 1
        }
        return ChainReport(
            tenant: tenant, valid: findings.isEmpty && !truncated, records: records, checkpoints: checkpoints.count,
            lastCheckpointSeq: lastValidCheckpointSeq, unsealedRecords: records - sealedRecords,
            keyId: publicKey.map(AuditCheckpoint.keyID), findings: findings, findingsTruncated: truncated)
    }

    private mutating func judge(_ record: ChainLink, contentHolds: Bool, next: ChainLink?) {
        records += 1
        // Positions are unique and rising (the database's key): one that repeats or goes back
        // was added to a file.
        if let last = lastJudgedSeq, record.seq <= last {
            report(record.seq, .inserted, "its position repeats or goes back after seq \(last)", eventId: record.eventId)
            return
        }
        lastJudgedSeq = record.seq
        if let next, next.seq > record.seq, next.prevHash == lastHash, record.hash != lastHash {
            // Checked first: an inserted record may link to its predecessor, but its successor does not link to it.
            report(record.seq, .inserted, "the chain runs from seq \(lastSeq) to seq \(next.seq) past it", eventId: record.eventId)
        } else if record.prevHash == lastHash {
            if !contentHolds { report(record.seq, .changed, "its content no longer matches its hash", eventId: record.eventId) }
            accept(record, contentHeld: contentHolds)
        } else if contentHolds {
            if record.seq > lastSeq + 1 {
                reportGap(from: lastSeq + 1, to: record.seq - 1)
            } else if lastContentHeld {
                report(
                    record.seq, .removed,
                    "the record it links to is missing (the trail was renumbered), or seq \(lastSeq) was rewritten with a new hash",
                    eventId: record.eventId)
            }
            accept(record, contentHeld: true)
        } else {
            let detail = next == nil
                ? "it neither links to the trail nor matches its own hash"
                : "neither its link nor its content matches its hash"
            report(record.seq, next == nil ? .inserted : .changed, detail, eventId: record.eventId)
            accept(record, contentHeld: false)
        }
        checkCheckpoints(at: record)
    }

    private mutating func accept(_ record: ChainLink, contentHeld: Bool) {
        lastHash = record.hash
        lastSeq = record.seq
        lastContentHeld = contentHeld
    }

    private mutating func reportGap(from first: Int, to last: Int) {
        if last - first < 100 {
            for seq in first...last { report(seq, .removed, "missing from the trail", eventId: nil) }
        } else {
            report(first, .removed, "records \(first) to \(last) are missing from the trail", eventId: nil)
        }
    }

    /// Compares the checkpoints at or before `record` with the records seen.
    private mutating func checkCheckpoints(at record: ChainLink) {
        while nextCheckpoint < checkpoints.count, checkpoints[nextCheckpoint].seq <= record.seq {
            let checkpoint = checkpoints[nextCheckpoint]
            nextCheckpoint += 1
            guard let publicKey, checkpoint.keyId == AuditCheckpoint.keyID(of: publicKey), checkpoint.isSigned(by: publicKey),
                  checkpoint.tenant == tenant
            else {
                report(checkpoint.seq, .checkpoint, "the checkpoint's signature does not hold for key \(checkpoint.keyId)", eventId: nil)
                continue
            }
            if checkpoint.seq < record.seq {
                report(checkpoint.seq, .removed, "a checkpoint seals this record, but it is missing", eventId: nil)
            } else if checkpoint.hash != record.hash {
                report(checkpoint.seq, .checkpoint, "the record's hash is not the one its checkpoint signed", eventId: record.eventId)
            } else {
                lastValidCheckpointSeq = checkpoint.seq
                sealedRecords = records
            }
        }
    }

    private mutating func report(_ seq: Int, _ problem: ChainFinding.Problem, _ detail: String, eventId: String?) {
        guard !findings.contains(where: { $0.seq == seq && $0.problem == problem }) else { return }
        guard findings.count < findingLimit else {
            truncated = true
            return
        }
        findings.append(ChainFinding(seq: seq, problem: problem, detail: detail, eventId: eventId))
    }
}
