// swift-tools-version: 6.2
import PackageDescription

/// The ten services of the architecture. Each is a library that depends only on the shared
/// layers below it; the executable is the only target that knows all of them.
let serviceTargets = [
    "Gateway", "AuthService", "UserService", "TransactionService", "ComplianceService",
    "DocumentService", "NotificationService", "ReportingService", "DashboardService", "AuditService",
]

let serviceDependencies: [Target.Dependency] = [
    "ERPKernel", "ServiceRuntime", "Mesh",
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "NIOCore", package: "swift-nio"),
]

/// What a service needs beyond the shared layers.
let serviceExtras: [String: [Target.Dependency]] = [
    "AuthService": [
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOPosix", package: "swift-nio"),
    ],
    "AuditService": [
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ],
    "Gateway": [
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "Prometheus", package: "swift-prometheus"),
    ],
    "ComplianceService": [
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ],
]

let package = Package(
    name: "neuroerp",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "neuroerp", targets: ["neuroerp"]),
        .executable(name: "neuroerp-bench", targets: ["NeuroERPBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // Shared kernel: value types and ports. Imports no adapter and no framework.
        .target(name: "ERPKernel"),
        // SQLite itself, embedded (see Sources/CSQLite/version.txt).
        .target(name: "CSQLite", cSettings: sqliteSettings),
        // Adapters behind the kernel's ports: SQLite, PostgreSQL, Redis, outbox relay, bus, cache, logs, metrics.
        .target(
            name: "Platform",
            dependencies: [
                "ERPKernel", "CSQLite",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // What every HTTP service shares: request context, problem+json, correlation, access log.
        .target(
            name: "ServiceRuntime",
            dependencies: [
                "ERPKernel", "Platform",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Calls between services: in-process or over HTTP, with deadlines and mapped failures.
        .target(
            name: "Mesh",
            dependencies: [
                "ERPKernel", "ServiceRuntime", "Platform",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ] + serviceTargets.map { .target(name: $0, dependencies: serviceDependencies + (serviceExtras[$0] ?? [])) } + [
        .target(
            name: "ERPTesting",
            dependencies: [
                "ERPKernel", "Platform", "ServiceRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "neuroerp",
            dependencies: [
                "ERPKernel", "Platform", "ServiceRuntime", "Mesh",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ] + serviceTargets.map { .target(name: $0) }
        ),
        // Micro-benchmarks that need no server (bench/identity, bench/compliance, bench/audit run
        // them) and the load generator of bench/run.
        .executableTarget(
            name: "NeuroERPBench",
            dependencies: [
                "ERPKernel", "ServiceRuntime", "Platform", "ComplianceService", "AuditService",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "ERPKernelTests", dependencies: ["ERPKernel"]),
        .testTarget(
            name: "PlatformTests",
            dependencies: [
                "Platform", "ERPKernel", "ERPTesting",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "neuroerp", "ERPKernel", "Platform", "ServiceRuntime", "Mesh", "ERPTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ] + serviceTargets.map { .target(name: $0) }
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)

/// SQLite's recommended options for an embedded build: no
/// double-quoted string literals, no deprecated or unused interfaces, memory statistics off;
/// multi-thread mode, since a connection is only ever used by one thread at a time.
var sqliteSettings: [CSetting] {
    [
        .define("SQLITE_DEFAULT_MEMSTATUS", to: "0"),
        .define("SQLITE_DQS", to: "0"),
        .define("SQLITE_ENABLE_API_ARMOR", .when(configuration: .debug)),
        .define("SQLITE_LIKE_DOESNT_MATCH_BLOBS"),
        .define("SQLITE_MAX_VARIABLE_NUMBER", to: "250000"),
        .define("SQLITE_OMIT_DEPRECATED"),
        .define("SQLITE_OMIT_LOAD_EXTENSION"),
        .define("SQLITE_OMIT_PROGRESS_CALLBACK"),
        .define("SQLITE_OMIT_SHARED_CACHE"),
        .define("SQLITE_OMIT_TCL_VARIABLE"),
        .define("SQLITE_THREADSAFE", to: "2"),
        .define("SQLITE_USE_URI"),
    ]
}
