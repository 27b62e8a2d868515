import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import FuzzHarness
@testable import Manhole
import StatsdCore
import StatsdNetwork

/// The INI config file as `stoker serve --config` reads it (StokerConfiguration.load, minus
/// the file read): the sections, `[cache]` with a `[cache:NAME]` instance laid over it into
/// CarbonSettings and ManholeSettings (whose validation parses MANHOLE_PUBLIC_KEY), and
/// `[statsd]` into StatsdServerSettings; every refusal rendered as the server prints it.
enum ConfigFuzzTarget {
    static func run(_ input: FuzzInput) {
        // ConfigFile.text refuses a file that is not UTF-8 before any parsing.
        guard let text = input.text else { return }
        let file: ConfigFileSections
        do {
            file = try ConfigFileSections(text: text, fileName: "stoker.conf")
        } catch {
            _ = error.description
            return
        }
        for instance in [nil, "b"] {
            let cacheSection = file.cacheSection(instance: instance)
            do {
                let loaded = try CarbonSettings.from(values: cacheSection, fileName: "stoker.conf", configDirectory: ".",
                                                     otherKeys: ManholeSettings.configKeys)
                _ = loaded.warnings.joined()
                let manhole = try ManholeSettings.from(values: cacheSection, fileName: "stoker.conf",
                                                       storageDirectory: loaded.settings.storageDirectory)
                // The dump the manhole's `config` shows.
                _ = SettingsDump.pairs(of: loaded.settings) + SettingsDump.pairs(of: manhole)
            } catch {
                _ = error.description
            }
        }
        do {
            let statsd = try StatsdServerSettings.from(values: file.section("statsd") ?? [:])
            _ = statsd.warnings.joined()
        } catch {
            _ = error.description
        }
    }
}

@main
enum ConfigFuzzMain {
    static func main() { FuzzDriver.run(ConfigFuzzTarget.run) }
}
