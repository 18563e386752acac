import Foundation
import NIOSSL
import X509

/// Where a process's mesh identity lives: its certificate (chain), its private key, and the CA
/// that signed every process's certificate (`--tls-cert`, `--tls-key`, `--tls-ca`).
public struct MeshIdentityFiles: Sendable, Equatable {
    public var certificate: String
    public var key: String
    public var authority: String

    public init(certificate: String, key: String, authority: String) {
        self.certificate = certificate
        self.key = key
        self.authority = authority
    }

    /// What the files hold, read and checked together.
    struct Loaded: @unchecked Sendable {  // NIOSSL's certificate and key types are immutable references.
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
        var authorities: [NIOSSLCertificate]
        /// The files' bytes, to notice a change.
        var content: Data
        /// Of the leaf certificate, for logs.
        var serialNumber: String
        var notValidAfter: Date
    }

    /// - Throws: `MeshTLSError` naming the file that is missing or wrong, or a certificate whose key is another.
    func load() throws -> Loaded {
        func read(_ path: String) throws -> Data {
            guard let data = FileManager.default.contents(atPath: path) else { throw MeshTLSError("\(path) cannot be read") }
            return data
        }
        let (certificateData, keyData, authorityData) = (try read(certificate), try read(self.key), try read(authority))
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateData))
            let authorities = try NIOSSLCertificate.fromPEMBytes(Array(authorityData))
            let key = try NIOSSLPrivateKey(bytes: Array(keyData), format: .pem)
            guard !chain.isEmpty, !authorities.isEmpty else { throw MeshTLSError("\(certificate) or \(authority) holds no certificate") }
            // A certificate renewed while its key was not (or the other way round) is not used.
            let leaf = try Certificate(pemEncoded: String(decoding: certificateData, as: UTF8.self))
            let privateKey = try Certificate.PrivateKey(pemEncoded: String(decoding: keyData, as: UTF8.self))
            guard leaf.publicKey == privateKey.publicKey else { throw MeshTLSError("\(self.key) is not the key of \(certificate)") }
            return Loaded(
                chain: chain, key: key, authorities: authorities, content: certificateData + keyData + authorityData,
                serialNumber: leaf.serialNumber.description, notValidAfter: leaf.notValidAfter)
        } catch let error as MeshTLSError {
            throw error
        } catch {
            throw MeshTLSError("\(certificate), \(self.key) or \(authority) is not PEM as expected: \(error)")
        }
    }
}

public struct MeshTLSError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
