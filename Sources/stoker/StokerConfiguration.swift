import Carbon
import Foundation
import Manhole
import Statsd

/// Everything `serve` reads before starting: the INI file's `[cache]` section and the rule
/// files beside it. Re-read on SIGHUP for the parts that can change live.
struct StokerConfiguration {
    var carbon: CarbonSettings
    var statsd: StatsdServerSettings
    var manhole: ManholeSettings
    var instance: String
    var configPath: String?
    /// Unknown keys and skipped rule sections, logged once at startup.
    var warnings: [String]

    /// With no file, embedded defaults: carbon's ports, data under ./storage/whisper.
    static func load(path: String?, instance: String) throws -> StokerConfiguration {
        guard let path else {
            var statsd = StatsdServerSettings()
            statsd.stateFile = CarbonSettings().storageDirectory + "/statsd-state.json"
            return StokerConfiguration(carbon: CarbonSettings(), statsd: statsd, manhole: ManholeSettings(),
                                       instance: instance, configPath: nil, warnings: [])
        }
        let file = try ConfigFileSections.load(path: path)
        let directory = (path as NSString).deletingLastPathComponent
        let cacheSection = file.cacheSection(instance: instance)
        let loaded = try CarbonSettings.from(values: cacheSection, fileName: path,
                                             configDirectory: directory.isEmpty ? "." : directory,
                                             otherKeys: ManholeSettings.configKeys)
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
        return StokerConfiguration(carbon: loaded.settings, statsd: statsdSettings, manhole: manhole,
                                   instance: instance, configPath: path,
                                   warnings: loaded.warnings + statsd.warnings.map { "\(path): \($0)" })
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

    /// storage-schemas.conf and storage-aggregation.conf from the config file's directory. A
    /// missing schemas file means carbon's implicit default (60 s for 7 days) for everything.
    func storageLayout() throws -> (layout: StorageLayout, warnings: [String]) {
        var warnings: [String] = []
        var schemas = StorageSchemas(schemas: [StorageSchemas.defaultSchema])
        if let path = ruleFile("storage-schemas.conf") {
            if FileManager.default.fileExists(atPath: path) {
                schemas = try StorageSchemas.load(path: path)
                warnings += schemas.warnings
            } else {
                warnings.append("\(path) not found: every new file gets the default retention 60:10080")
            }
        }
        var aggregation = StorageAggregation(rules: [])
        if let path = ruleFile("storage-aggregation.conf"), FileManager.default.fileExists(atPath: path) {
            aggregation = try StorageAggregation.load(path: path)
            warnings += aggregation.warnings
        }
        let layout = StorageLayout(schemas: schemas, aggregation: aggregation, dataDirectory: carbon.localDataDirectory,
                                   hashTaggedNames: carbon.tagHashFilenames)
        return (layout, warnings)
    }

    /// The parsed rule files themselves (what `storageLayout()` wraps in closures), for tools
    /// that show which rule a name matches: the files used (nil: none), the schemas without
    /// the implicit default, and the aggregation rules.
    struct StorageRules {
        var schemasFile: String?
        var schemas: StorageSchemas
        var aggregationFile: String?
        var aggregation: StorageAggregation
    }

    /// Reads storage-schemas.conf and storage-aggregation.conf as `storageLayout()` does.
    func storageRules() throws -> StorageRules {
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

    /// whitelist.conf / blacklist.conf, when USE_WHITELIST is on.
    func filters() -> MetricFilters? {
        guard carbon.useWhitelist else { return nil }
        let directory = carbon.whitelistsDirectory ?? carbon.configDirectory ?? "."
        return MetricFilters.load(whitelistPath: (directory as NSString).appendingPathComponent("whitelist.conf"),
                                  blacklistPath: (directory as NSString).appendingPathComponent("blacklist.conf"))
    }
}
