import Foundation
import Logging
import NIOSSL
import ServiceLifecycle
import Synchronization

/// Mutual TLS between the processes of one installation. A process presents its certificate to
/// the services it calls and, where it serves other processes, requires theirs, signed by the
/// same CA. Renewed certificate and key files are taken up within `interval` without a restart:
/// new connections use them, open ones finish on the old.
public final class MeshTLS: Service {
    let files: MeshIdentityFiles
    let interval: Duration
    let logger: Logger
    private let loaded: Mutex<MeshIdentityFiles.Loaded>
    /// The client context of the loaded files, made on first use after each load: making one
    /// parses keys and certificates, too slow for every connection.
    private let clientContextCache = Mutex<NIOSSLContext?>(nil)
    /// Files that failed to load, so a broken renewal is logged once, not at every look.
    private let rejected = Mutex<Data?>(nil)

    /// - Throws: `MeshTLSError` when the files cannot be used; a process should not start then.
    public init(files: MeshIdentityFiles, interval: Duration = .seconds(5), logger: Logger) throws {
        self.files = files
        self.interval = interval
        self.logger = logger
        loaded = Mutex(try files.load())
    }

    /// For a listener other processes call: their certificate is required and checked against the
    /// CA; the certificate presented is the latest loaded, chosen at each handshake.
    public func serverConfiguration() -> TLSConfiguration {
        let current = loaded.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: current.chain.map { .certificate($0) }, privateKey: .privateKey(current.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates(current.authorities)
        // Client certificates name no host a server could check against; the CA's signature is the test.
        configuration.certificateVerification = .noHostnameVerification
        configuration.sslContextCallback = { [self] _, promise in
            let current = loaded.withLock { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = current.chain.map { .certificate($0) }
            override.privateKey = .privateKey(current.key)
            promise.succeed(override)
        }
        return configuration
    }

    /// For calls to other processes: presents this process's certificate and trusts the CA only.
    public func clientConfiguration() -> TLSConfiguration {
        let current = loaded.withLock { $0 }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates(current.authorities)
        configuration.certificateChain = current.chain.map { .certificate($0) }
        configuration.privateKey = .privateKey(current.key)
        return configuration
    }

    /// `clientConfiguration()` as a context for SwiftNIO's TLS handler.
    /// - Throws: when BoringSSL refuses the configuration.
    public func clientContext() throws -> NIOSSLContext {
        if let context = clientContextCache.withLock({ $0 }) { return context }
        let context = try NIOSSLContext(configuration: clientConfiguration())
        clientContextCache.withLock { $0 = context }
        return context
    }

    /// Reads the files again; takes them when they changed and are a valid pair.
    /// - Returns: whether a new certificate is now in use.
    @discardableResult
    public func reload() -> Bool {
        let previous = loaded.withLock { $0.content }
        let content = [files.certificate, files.key, files.authority].map { FileManager.default.contents(atPath: $0) ?? Data() }.reduce(Data(), +)
        guard content != previous, content != rejected.withLock({ $0 }) else { return false }
        do {
            let fresh = try files.load()
            loaded.withLock { $0 = fresh }
            clientContextCache.withLock { $0 = nil }
            logger.info(
                "mesh certificate reloaded",
                metadata: ["tls.server.x509.serial_number": .string(fresh.serialNumber), "tls.server.not_after": "\(fresh.notValidAfter)"])
            return true
        } catch {
            rejected.withLock { $0 = content }
            logger.error("mesh certificate not reloaded; the one in use stays", metadata: ["error.message": "\(error)"])
            return false
        }
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            reload()
        }
    }
}
