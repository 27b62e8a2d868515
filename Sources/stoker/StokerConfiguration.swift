import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import Manhole
import ReadServer
import StatsdCore

/// Everything `serve` reads before starting: the INI file's `[cache]` section and the rule
/// files beside it. Re-read on SIGHUP for the parts that can change live.
struct StokerConfiguration {
    var carbon: CarbonSettings
    var statsd: StatsdServerSettings
    var manhole: ManholeSettings
    var api: APISettings
    var instance: String
    var configPath: String?
    /// Unknown keys and skipped rule sections, logged once at startup.
    var warnings: [String]

    /// With no file, embedded defaults: carbon's ports, data under ./storage/whisper, and
    /// storage rules that give statsd's flushes their own slots (`EmbeddedStorageRules`).
    static func load(path: String?, instance: String) throws -> StokerConfiguration {
        guard let path else {
            var statsd = StatsdServerSettings()
            statsd.stateFile = CarbonSettings().storageDirectory + "/statsd-state.json"
            var carbon = CarbonSettings()
            carbon.writeAheadLogDirectory = Self.defaultWriteAheadLogDirectory(storage: carbon.storageDirectory)
            return StokerConfiguration(carbon: carbon, statsd: statsd, manhole: ManholeSettings(),
                                       api: APISettings(), instance: instance, configPath: nil, warnings: [])
        }
        let file = try ConfigFileSections.load(path: path)
        let directory = (path as NSString).deletingLastPathComponent
        let cacheSection = file.cacheSection(instance: instance)
        var loaded = try CarbonSettings.from(values: cacheSection, fileName: path,
                                             configDirectory: directory.isEmpty ? "." : directory,
                                             otherKeys: ManholeSettings.configKeys)
        if cacheSection["wal_dir"] == nil {
            loaded.settings.writeAheadLogDirectory = Self.defaultWriteAheadLogDirectory(storage: loaded.settings.storageDirectory)
        }
        let manhole = try ManholeSettings.from(values: cacheSection, fileName: path,
                                               storageDirectory: loaded.settings.storageDirectory)
        let statsd: (settings: StatsdServerSettings, warnings: [String])
        do {
            statsd = try StatsdServerSettings.from(values: file.section("statsd") ?? [:])
        } catch {
            throw ConfigError(file: path, key: error.key, value: error.value, reason: error.reason)
        }
        var statsdSettings = statsd.settings
        if file.section("statsd")?["state_file"] == nil {
            statsdSettings.stateFile = loaded.settings.storageDirectory + "/statsd-state.json"
        }
        statsdSettings.events = loaded.settings.graphiteURL.map { HTTPTarget(host: $0.host, port: $0.port, path: $0.eventsPath) }
        let api = try APISettings.from(values: file.section("api") ?? [:], fileName: path)
        return StokerConfiguration(carbon: loaded.settings, statsd: statsdSettings, manhole: manhole,
                                   api: api.settings, instance: instance, configPath: path,
                                   warnings: loaded.warnings + statsd.warnings.map { "\(path): \($0)" } + api.warnings)
    }

    /// The write-ahead log is on unless `WAL_DIR` is set empty: a crash then loses at most
    /// `WAL_FSYNC_INTERVAL` of accepted points, for a few per cent more CPU (BENCHMARKS.md,
    /// Steady state, WAL on).
    static func defaultWriteAheadLogDirectory(storage: String) -> String {
        storage + "/wal"
    }

    /// Combinations that cannot work, refused before anything starts.
    func validate() throws {
        if !carbon.enabled {
            guard statsd.enabled else {
                throw ConfigError(file: configPath ?? "(defaults)", key: "enabled", value: "false",
                                  reason: "with [cache] ENABLED = false, [statsd] must be enabled")
            }
            guard statsd.graphiteHost != nil else {
                throw ConfigError(file: configPath ?? "(defaults)", key: "enabled", value: "false",
                                  reason: "statsd-only mode needs [statsd] graphiteHost: its flushes would go nowhere")
            }
        }
    }

    private func ruleFile(_ name: String) -> String? {
        carbon.configDirectory.map { ($0 as NSString).appendingPathComponent(name) }
    }

    /// The storage rules as a layout for the writer, with what carbon would only log. A
    /// configuration file without storage-schemas.conf beside it means carbon's implicit
    /// default (60 s for 7 days) for everything; no configuration file at all means
    /// `EmbeddedStorageRules`.
    func storageLayout() throws -> (layout: StorageLayout, warnings: [String]) {
        let rules = try storageRules()
        var warnings = rules.schemas.warnings + rules.aggregation.warnings
        if !rules.embedded, rules.schemasFile == nil, let path = ruleFile("storage-schemas.conf") {
            warnings.append("\(path) not found: every new file gets the default retention 60:10080")
        }
        let layout = StorageLayout(schemas: rules.schemas, aggregation: rules.aggregation,
                                   dataDirectory: carbon.localDataDirectory, hashTaggedNames: carbon.tagHashFilenames)
        return (layout, warnings)
    }

    /// The parsed rules themselves, for tools that show which rule a name matches: the files
    /// used (nil: none), the schemas without the implicit default, and the aggregation rules.
    struct StorageRules {
        var schemasFile: String?
        var schemas: StorageSchemas
        var aggregationFile: String?
        var aggregation: StorageAggregation
        /// Built in (no configuration file), not read from files.
        var embedded = false
    }

    /// storage-schemas.conf and storage-aggregation.conf from the config file's directory, or
    /// the embedded rules when there is no configuration file.
    func storageRules() throws -> StorageRules {
        guard configPath != nil else { return EmbeddedStorageRules.rules(carbon: carbon, statsd: statsd.statsd) }
        var rules = StorageRules(schemasFile: nil, schemas: StorageSchemas(schemas: []),
                                 aggregationFile: nil, aggregation: StorageAggregation(rules: []))
        if let path = ruleFile("storage-schemas.conf"), FileManager.default.fileExists(atPath: path) {
            rules.schemasFile = path
            rules.schemas = try StorageSchemas.load(path: path)
        }
        if let path = ruleFile("storage-aggregation.conf"), FileManager.default.fileExists(atPath: path) {
            rules.aggregationFile = path
            rules.aggregation = try StorageAggregation.load(path: path)
        }
        return rules
    }

    /// quotas.conf beside the configuration file (docs/quotas.md); none without one, or
    /// without a configuration file.
    func quotaRules() throws -> (file: String?, rules: QuotaRules) {
        guard configPath != nil, let path = ruleFile("quotas.conf"), FileManager.default.fileExists(atPath: path) else {
            return (nil, .none)
        }
        return (path, try QuotaRules.load(path: path))
    }

    /// whitelist.conf / blacklist.conf, when USE_WHITELIST is on.
    func filters() -> MetricFilters? {
        guard carbon.useWhitelist else { return nil }
        let directory = carbon.whitelistsDirectory ?? carbon.configDirectory ?? "."
        return MetricFilters.load(whitelistPath: (directory as NSString).appendingPathComponent("whitelist.conf"),
                                  blacklistPath: (directory as NSString).appendingPathComponent("blacklist.conf"))
    }
}
