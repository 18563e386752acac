/// One configurable value and the three places it can come from. This table is the single
/// source of the flags, the `NEUROERP_…` variables, the config-file keys and the defaults.
struct Setting: Sendable {
    /// The key in the JSON config file.
    let key: String
    let flag: String
    let environment: String
    /// `nil` when unset by default.
    let defaultValue: String?
    let help: String
    /// Never printed: the effective configuration shows `<redacted>`.
    var secret = false

    static let services = Setting(
        key: "services", flag: "--services", environment: "NEUROERP_SERVICES", defaultValue: "all",
        help: "Services this process runs: all, or a comma-separated list of gateway, auth, users, transactions, compliance, documents, notifications, reporting, dashboard, audit.")
    static let host = Setting(
        key: "host", flag: "--host", environment: "NEUROERP_HOST", defaultValue: "127.0.0.1",
        help: "Address to listen on.")
    static let port = Setting(
        key: "port", flag: "--port", environment: "NEUROERP_PORT", defaultValue: "8080",
        help: "TCP port to listen on; 0 picks a free one (the log says which).")
    static let dataDirectory = Setting(
        key: "dataDir", flag: "--data-dir", environment: "NEUROERP_DATA_DIR", defaultValue: "./data",
        help: "Directory of the SQLite files (main, compliance, documents, analytics, audit); created if missing.")
    static let upstreams = Setting(
        key: "upstreams", flag: "--upstream", environment: "NEUROERP_UPSTREAMS", defaultValue: nil,
        help: "Where services run that this process does not: NAME=URL, repeatable (comma-separated in the variable; an object in the file).")
    static let logFormat = Setting(
        key: "logFormat", flag: "--log-format", environment: "NEUROERP_LOG_FORMAT", defaultValue: "json",
        help: "json (ECS lines for a log shipper) or text (for people).")
    static let logLevel = Setting(
        key: "logLevel", flag: "--log-level", environment: "NEUROERP_LOG_LEVEL", defaultValue: "info",
        help: "trace, debug, info, notice, warning, error or critical.")
    static let upstreamTimeout = Setting(
        key: "upstreamTimeoutMs", flag: "--upstream-timeout-ms", environment: "NEUROERP_UPSTREAM_TIMEOUT_MS",
        defaultValue: "5000", help: "Longest wait for another service's answer before a 504.")
    static let upstreamConnections = Setting(
        key: "upstreamConnections", flag: "--upstream-connections", environment: "NEUROERP_UPSTREAM_CONNECTIONS",
        defaultValue: "64", help: "Idle HTTP connections kept per upstream replica and event loop.")
    static let circuitFailures = Setting(
        key: "circuitFailures", flag: "--circuit-failures", environment: "NEUROERP_CIRCUIT_FAILURES", defaultValue: "5",
        help: "Failed calls in a row to another process's service after which its circuit opens: calls then fail at once with 503 (also when half of the last 20 failed).")
    static let circuitOpen = Setting(
        key: "circuitOpenMs", flag: "--circuit-open-ms", environment: "NEUROERP_CIRCUIT_OPEN_MS", defaultValue: "5000",
        help: "How long an open circuit holds calls back before one probe may try again.")
    static let maximumBodyBytes = Setting(
        key: "maxBodyBytes", flag: "--max-body-bytes", environment: "NEUROERP_MAX_BODY_BYTES",
        defaultValue: "1048576", help: "Largest request body accepted; larger ones get 413.")
    static let sqliteSynchronous = Setting(
        key: "sqliteSynchronous", flag: "--sqlite-synchronous", environment: "NEUROERP_SQLITE_SYNCHRONOUS",
        defaultValue: "full",
        help: "full: every commit reaches the disk before it is acknowledged; normal: faster, survives a killed process but may lose the last commits on power loss.")
    static let sqliteReaders = Setting(
        key: "sqliteReaders", flag: "--sqlite-readers", environment: "NEUROERP_SQLITE_READERS", defaultValue: "4",
        help: "Reader connections per SQLite database.")
    static let databaseURLs = Setting(
        key: "databaseUrl", flag: "--database-url", environment: "NEUROERP_DATABASE_URL", defaultValue: nil,
        help: "PostgreSQL instead of SQLite: postgres://user:password@host:port/database[?pool_size=8&connect_timeout=10&sslmode=require] for every service database (each in its own schema), or NAME=URL for one (NAME a database — main, compliance, documents, analytics, audit — or a service); repeatable, comma-separated in the variable.")
    static let databaseShards = Setting(
        key: "databaseShards", flag: "--database-shard", environment: "NEUROERP_DATABASE_SHARDS", defaultValue: nil,
        help: "More PostgreSQL databases for the tenants' ledger and stock (the transactions service), beside the --database-url one, which stays shard 0 and keeps the directory: postgres:// URLs with the options of --database-url; repeatable, comma-separated in the variable. New tenants spread over all shards; `neuroerp tenant move` moves one.")
    static let redisURL = Setting(
        key: "redisUrl", flag: "--redis-url", environment: "NEUROERP_REDIS_URL", defaultValue: nil,
        help: "Redis for the event bus between processes (Redis Streams): redis://[user:password@]host:port[/db][?pool_size=4&timeout_ms=2000&connect_timeout_ms=1000&key_prefix=neuroerp:]; without it events stay inside each process.")
    static let rateLimitFailure = Setting(
        key: "rateLimitFailure", flag: "--rate-limit-failure", environment: "NEUROERP_RATE_LIMIT_FAILURE", defaultValue: "open",
        help: "What rate limits do while Redis, which counts for them, is unreachable: open lets every request through, closed refuses the limited ones.")
    static let rateLimits = Setting(
        key: "rateLimits", flag: "--rate-limit", environment: "NEUROERP_RATE_LIMITS", defaultValue: nil,
        help: "Rate limits of the gateway, SCOPE[:PATH]=LIMIT/WINDOW, repeatable (comma-separated in the variable; a list in the file): scope user (a valid access token), key (an API key) or address (no credential); e.g. user=600/1m, address:/api/v1/auth/login=10/1m.")
    static let gatewayPolicy = Setting(
        key: "gatewayPolicy", flag: "--gateway-policy", environment: "NEUROERP_GATEWAY_POLICY", defaultValue: nil,
        help: "JSON file with the gateway's traffic split per service and its access rules (see README); re-read when it changes, no restart.")
    static let gatewayCacheEntries = Setting(
        key: "gatewayCacheEntries", flag: "--gateway-cache-entries", environment: "NEUROERP_GATEWAY_CACHE_ENTRIES", defaultValue: "10000",
        help: "Answers the gateway keeps for GETs that services mark as cacheable (the article catalogue, warehouses, tax codes, the JWKS), per caller; 0 turns the cache off.")
    static let gatewayFastLane = Setting(
        key: "gatewayFastLane", flag: "--gateway-fast-lane", environment: "NEUROERP_GATEWAY_FAST_LANE", defaultValue: "on",
        help: "on: the gateway forwards a GET whose access token it verified before straight from the connection, with the same limits, rules and cache, at about half the CPU; off: every request takes the router.")
    static let corsOrigins = Setting(
        key: "corsOrigins", flag: "--cors-origin", environment: "NEUROERP_CORS_ORIGINS", defaultValue: nil,
        help: "Origins (scheme://host[:port]) of browser apps that may call the API, repeatable (comma-separated in the variable; a list in the file); * for any. Without it no CORS fields are sent.")
    static let meshSecret = Setting(
        key: "meshSecret", flag: "--mesh-secret", environment: "NEUROERP_MESH_SECRET", defaultValue: nil,
        help: "Secret (at least 32 characters) that every process of one installation shares: the gateway signs the caller it verified with it, and the services take that instead of checking the credential again. Without it a service checks every credential itself.",
        secret: true)
    static let tlsCertificate = Setting(
        key: "tlsCert", flag: "--tls-cert", environment: "NEUROERP_TLS_CERT", defaultValue: nil,
        help: "PEM certificate (chain) of this process for mTLS between processes; with --tls-key and --tls-ca (neuroerp certs init makes them). Reloaded when the file changes.")
    static let tlsKey = Setting(
        key: "tlsKey", flag: "--tls-key", environment: "NEUROERP_TLS_KEY", defaultValue: nil,
        help: "PEM private key of --tls-cert.")
    static let tlsAuthority = Setting(
        key: "tlsCa", flag: "--tls-ca", environment: "NEUROERP_TLS_CA", defaultValue: nil,
        help: "PEM certificate of the CA that signed every process's certificate: a service serves HTTPS only to callers with one, and this process trusts only it on https:// upstreams.")
    static let healthInterval = Setting(
        key: "healthIntervalMs", flag: "--health-interval-ms", environment: "NEUROERP_HEALTH_INTERVAL_MS", defaultValue: "2000",
        help: "How often each upstream replica's /health/live is asked; two failures in a row take it out of the balancing until it passes again.")
    static let shutdownTimeout = Setting(
        key: "shutdownTimeoutSeconds", flag: "--shutdown-timeout-seconds", environment: "NEUROERP_SHUTDOWN_TIMEOUT_SECONDS",
        defaultValue: "10", help: "Longest graceful shutdown: draining requests and flushing the outbox.")
    static let statusMaxAge = Setting(
        key: "statusMaxAgeMs", flag: "--status-max-age-ms", environment: "NEUROERP_STATUS_MAX_AGE_MS",
        defaultValue: "1000", help: "How long the gateway reuses the answers behind /api/v1/system/services.")
    static let cacheEntries = Setting(
        key: "cacheMaxEntries", flag: "--cache-max-entries", environment: "NEUROERP_CACHE_MAX_ENTRIES",
        defaultValue: "100000", help: "Bound on entries of the in-process cache.")

    static let accessTokenLifetime = Setting(
        key: "accessTokenTtlSeconds", flag: "--access-token-ttl-seconds", environment: "NEUROERP_ACCESS_TOKEN_TTL_SECONDS",
        defaultValue: "300", help: "Lifetime of an access token.")
    static let refreshTokenLifetime = Setting(
        key: "refreshTokenTtlDays", flag: "--refresh-token-ttl-days", environment: "NEUROERP_REFRESH_TOKEN_TTL_DAYS",
        defaultValue: "30", help: "Lifetime of a refresh token; each use replaces it.")
    static let bcryptCost = Setting(
        key: "bcryptCost", flag: "--bcrypt-cost", environment: "NEUROERP_BCRYPT_COST", defaultValue: "12",
        help: "bcrypt cost for stored passwords (4…31; each step doubles the work).")

    static let signingKeyRotation = Setting(
        key: "signingKeyRotationDays", flag: "--signing-key-rotation-days", environment: "NEUROERP_SIGNING_KEY_ROTATION_DAYS",
        defaultValue: "30", help: "Age at which the token signing key is replaced; 0 never. Old keys stay published until their tokens expired.")

    /// Every setting of `serve`, in the order the README's table lists them.
    static let all: [Setting] = [
        services, host, port, dataDirectory, upstreams, logFormat, logLevel, upstreamTimeout, upstreamConnections, circuitFailures, circuitOpen,
        maximumBodyBytes, sqliteSynchronous, sqliteReaders, databaseURLs, databaseShards, redisURL, rateLimitFailure, rateLimits, gatewayPolicy, gatewayCacheEntries, gatewayFastLane, corsOrigins, meshSecret, tlsCertificate, tlsKey, tlsAuthority, healthInterval, shutdownTimeout, statusMaxAge, cacheEntries,
        accessTokenLifetime, refreshTokenLifetime, bcryptCost, signingKeyRotation,
    ]
}
