import ERPKernel
import ERPTesting
import Foundation
import Gateway
import Testing
@testable import neuroerp

@Suite struct ConfigurationTests {
    @Test func flagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws {
        let sources = ConfigurationSources(
            flags: ["port": "1111"],
            environment: ["NEUROERP_PORT": "2222", "NEUROERP_HOST": "0.0.0.0"],
            file: ["port": "3333", "host": "10.0.0.1", "dataDir": "/srv/erp"])
        let configuration = try ServeConfiguration(sources: sources)
        #expect(configuration.port == 1111)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.dataDirectory == "/srv/erp")
        #expect(configuration.logFormat == .json)
        let sourceOf = Dictionary(uniqueKeysWithValues: configuration.effective.map { ($0.key, $0.source) })
        #expect(sourceOf["port"] == .flag)
        #expect(sourceOf["host"] == .environment)
        #expect(sourceOf["dataDir"] == .file)
        #expect(sourceOf["logFormat"] == .default)
    }

    @Test func anInvalidValueNamesWhereItCameFrom() {
        #expect {
            try ServeConfiguration(sources: ConfigurationSources(environment: ["NEUROERP_PORT": "eighty"]))
        } throws: { error in
            "\(error)".contains("NEUROERP_PORT") && "\(error)".contains("eighty")
        }
        #expect {
            try ServeConfiguration(sources: ConfigurationSources(flags: ["services": "gateway,billing"]))
        } throws: { error in
            "\(error)".contains("--services") && "\(error)".contains("billing")
        }
        #expect {
            try ServeConfiguration(sources: ConfigurationSources(flags: ["upstreams": "audit=ftp://x"]))
        } throws: { error in
            "\(error)".contains("--upstream")
        }
    }

    @Test func shardsNeedAHomeDatabaseAndAreTheTransactionsServicesOnly() throws {
        let configuration = try ServeConfiguration(sources: ConfigurationSources(flags: [
            "databaseUrl": "postgres://erp@db0:5432/neuroerp",
            "databaseShards": "postgres://erp@db1:5432/neuroerp, postgres://erp@db2:5432/neuroerp?pool_size=4",
        ]))
        #expect(configuration.shards.keys.sorted { $0.rawValue < $1.rawValue } == [.main], "only the transactions service's database")
        #expect(configuration.shards[.main]?.map(\.redacted) == [
            "postgres://erp@db1:5432/neuroerp schema main", "postgres://erp@db2:5432/neuroerp schema main",
        ])
        #expect {
            try ServeConfiguration(sources: ConfigurationSources(flags: ["databaseShards": "postgres://erp@db1/neuroerp"]))
        } throws: { error in
            "\(error)".contains("--database-shard") && "\(error)".contains("--database-url")
        }
        #expect {
            try ServeConfiguration(sources: ConfigurationSources(flags: [
                "databaseUrl": "postgres://erp@db0:5432/neuroerp", "databaseShards": "postgres://erp@db0:5432/neuroerp",
            ]))
        } throws: { error in
            "\(error)".contains("home database")
        }
        #expect {
            try ServeConfiguration(sources: ConfigurationSources(flags: [
                "databaseUrl": "postgres://erp@db0:5432/neuroerp", "databaseShards": "postgres://erp@db1/neuroerp,postgres://erp@db1/neuroerp",
            ]))
        } throws: { error in
            "\(error)".contains("named twice")
        }
    }

    @Test func rateLimitRulesAreParsedAndABadOneSaysWhatIsWrong() throws {
        let configuration = try ServeConfiguration(
            sources: ConfigurationSources(environment: ["NEUROERP_RATE_LIMITS": "user=600/1m,address:/api/v1/auth/login=10/30s"]))
        #expect(configuration.rateLimitRules == [
            RateLimitRule(scope: .user, limit: 600, window: .seconds(60)),
            RateLimitRule(scope: .address, pathPrefix: "/api/v1/auth/login", limit: 10, window: .seconds(30)),
        ])
        for (text, complaint) in [
            ("robot=1/1m", "one of user, key, address"), ("user=0/1m", "from 1 to 1,000,000"), ("user=5/2d", "from 1s to 24h"),
            ("address:api=5/1m", "must start with /"), ("user", "SCOPE[:PATH]=LIMIT/WINDOW"),
        ] {
            #expect {
                try ServeConfiguration(sources: ConfigurationSources(flags: ["rateLimits": text]))
            } throws: { error in
                "\(error)".contains("--rate-limit") && "\(error)".contains(complaint)
            }
        }
    }

    @Test func servicesAndUpstreamsAreParsed() throws {
        let configuration = try ServeConfiguration(
            sources: ConfigurationSources(flags: [
                "services": "gateway, users",
                "upstreams": "audit=http://127.0.0.1:8091,users=http://127.0.0.1:8092,users@canary=http://127.0.0.1:8093",
            ]))
        #expect(configuration.services == [.gateway, .users])
        #expect(!configuration.isEmbedded)
        #expect(configuration.upstreams[.audit] == [UpstreamReplica(url: "http://127.0.0.1:8091", version: "stable")])
        #expect(configuration.upstreams[.users]?.map(\.version) == ["stable", "canary"], "two replicas of one service")
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration(sources: ConfigurationSources(flags: ["upstreams": "users@=http://127.0.0.1:1"]))
        }
        #expect(try ServeConfiguration(sources: ConfigurationSources()).isEmbedded)
    }

    @Test func credentialsInURLsAreRedactedInTheEffectiveConfiguration() throws {
        let configuration = try ServeConfiguration(
            sources: ConfigurationSources(flags: ["upstreams": "audit=http://svc:s3cret@127.0.0.1:8091"]))
        let shown = configuration.effective.first { $0.key == "upstreams" }?.value ?? ""
        #expect(!shown.contains("s3cret"))
        #expect(shown.contains("127.0.0.1:8091"))
    }

    @Test func theConfigFileRejectsUnknownKeys() throws {
        let path = try TestDatabase.temporaryDirectory().appendingPathComponent("neuroerp.json").path
        try #"{"port": 9000, "upstreams": {"audit": "http://127.0.0.1:1"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let values = try ConfigurationSources.readFile(at: path)
        #expect(values["port"] == "9000")
        #expect(values["upstreams"] == "audit=http://127.0.0.1:1")
        try #"{"prot": 9000}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try ConfigurationSources.readFile(at: path) } throws: { "\($0)".contains("prot") }
    }

    @Test func everySettingHasADistinctFlagVariableAndKey() {
        #expect(Set(Setting.all.map(\.flag)).count == Setting.all.count)
        #expect(Set(Setting.all.map(\.environment)).count == Setting.all.count)
        #expect(Set(Setting.all.map(\.key)).count == Setting.all.count)
        #expect(Setting.all.allSatisfy { $0.environment.hasPrefix("NEUROERP_") })
    }
}
