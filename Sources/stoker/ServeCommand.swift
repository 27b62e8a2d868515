import ArgumentParser
import Carbon
import Foundation
import Logging
import ServiceLifecycle
import Statsd

/// `stoker serve` (the default command): statsd, the carbon receivers, cache, writer and
/// carbonlink, until SIGTERM or SIGINT, after which statsd flushes a last time and every cached
/// point is written before exit 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the statsd and carbon receivers (the default command)."
    )

    @Option(name: .long, help: ArgumentHelp("Configuration file.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Instance name (carbon's --instance).", valueName: "name"))
    var instance: String = "a"

    func run() async throws {
        let configuration: StokerConfiguration
        let layout: StorageLayout
        var warnings: [String]
        do {
            configuration = try StokerConfiguration.load(path: config, instance: instance)
            let rules = try configuration.storageLayout()
            layout = rules.layout
            warnings = configuration.warnings + rules.warnings
        } catch {
            Console.err("[ERROR] \(error)\n")
            throw ExitCode(2)
        }
        let logger = LogSetup.bootstrap(level: configuration.carbon.logLevel)
        let filters = configuration.filters()
        warnings += filters?.warnings ?? []
        for warning in warnings { logger.warning("event=config_warning message=\"\(warning)\"") }
        do {
            try FileSystem.makeDirectories(configuration.carbon.localDataDirectory)
        } catch {
            logger.critical("event=startup_failed error=\"\(error)\"")
            throw ExitCode(1)
        }

        let carbon = CarbonService(settings: configuration.carbon, instance: instance, layout: layout,
                                   filters: filters, logger: logger)
        let statsd = configuration.statsd.enabled ? StatsdServer(settings: configuration.statsd, logger: logger) { [intake = carbon.intake] flush in
            // Through carbon's receive path, as statsd's graphite backend would arrive.
            let timestamp = Double(flush.timestamp)
            for datapoint in flush.datapoints {
                intake.accept(name: datapoint.name, value: datapoint.value, timestamp: timestamp)
            }
        } : nil
        let reload = ReloadOnHangup(configuration: configuration, carbon: carbon, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: PipelineLifecycle(carbon: carbon, statsd: statsd, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("event=startup_failed error=\"\(error)\"")
            throw ExitCode(1)
        }
        withExtendedLifetime(reload) {}
        logger.info("event=stopped")
    }
}
