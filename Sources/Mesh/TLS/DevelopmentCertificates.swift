import Crypto
import Foundation
import SwiftASN1
import X509

/// A development certificate authority and one certificate per service, for mTLS between the
/// processes of one machine (`neuroerp certs init`). Each certificate names `localhost` and
/// `127.0.0.1` and serves both as server and as client certificate. Production installations
/// bring certificates from their own CA in the same file layout.
///
/// Layout of the directory: `ca.pem` and `ca-key.pem`, then `NAME.pem` and `NAME-key.pem` for
/// each name. A CA already there is kept, so running it again renews the service certificates
/// that running processes then reload, without a restart.
public enum DevelopmentCertificates {
    /// What was written.
    public struct Outcome: Sendable {
        public var createdAuthority: Bool
        public var files: [String]
    }

    /// - Parameters:
    ///   - names: one certificate per name (the services).
    ///   - hosts: subject alternative names, IP addresses or DNS names.
    ///   - validDays: lifetime of new certificates.
    /// - Throws: when the directory cannot be written or an existing CA cannot be read.
    public static func write(
        to directory: String, names: [String], hosts: [String] = ["localhost", "127.0.0.1"], validDays: Int = 825, now: Date = Date()
    ) throws -> Outcome {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let caPath = directory + "/ca.pem", caKeyPath = directory + "/ca-key.pem"
        let validity = (now - 300, now + Double(validDays) * 86_400)
        var files: [String] = []
        let authority: (certificate: Certificate, key: P256.Signing.PrivateKey)
        let created: Bool
        if FileManager.default.fileExists(atPath: caPath), FileManager.default.fileExists(atPath: caKeyPath) {
            authority = (
                try Certificate(pemEncoded: try String(contentsOfFile: caPath, encoding: .utf8)),
                try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: caKeyPath, encoding: .utf8)))
            created = false
        } else {
            let key = P256.Signing.PrivateKey()
            let name = try DistinguishedName {
                OrganizationName("NeuroERP")
                CommonName("NeuroERP development CA")
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: validity.0, notValidAfter: validity.1, issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: .init(key))
            try writeAtomically(key.pemRepresentation, to: caKeyPath, secret: true)
            try writeAtomically(try certificate.serializeAsPEM().pemString, to: caPath, secret: false)
            files += [caPath, caKeyPath]
            authority = (certificate, key)
            created = true
        }
        let alternativeNames = try SubjectAlternativeNames(hosts.map(generalName))
        for name in names {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: validity.0, notValidAfter: validity.1, issuer: authority.certificate.subject,
                subject: try DistinguishedName {
                    OrganizationName("NeuroERP")
                    CommonName(name)
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth, .clientAuth])
                    alternativeNames
                },
                issuerPrivateKey: .init(authority.key))
            // The key first: a process reloading between the two writes still finds a matching pair
            // only once both are new, and keeps the old pair until then.
            try writeAtomically(key.pemRepresentation, to: "\(directory)/\(name)-key.pem", secret: true)
            try writeAtomically(try certificate.serializeAsPEM().pemString, to: "\(directory)/\(name).pem", secret: false)
            files += ["\(directory)/\(name).pem", "\(directory)/\(name)-key.pem"]
        }
        return Outcome(createdAuthority: created, files: files)
    }

    static func generalName(_ host: String) throws -> GeneralName {
        if let address = IPv4Address(host) { return .ipAddress(ASN1OctetString(contentBytes: address.bytes[...])) }
        return .dnsName(host)
    }

    /// Written beside and renamed over, so a reader never sees half a file; keys readable by the owner only.
    static func writeAtomically(_ text: String, to path: String, secret: Bool) throws {
        let temporary = path + ".tmp-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(
            atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: secret ? 0o600 : 0o644])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary]) }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

/// Four bytes of a dotted IPv4 address; nil for anything else.
struct IPv4Address {
    let bytes: [UInt8]

    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else { return nil }
        bytes = parts.map { $0! }
    }
}
