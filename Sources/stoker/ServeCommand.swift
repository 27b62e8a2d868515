import ArgumentParser
import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Foundation
import Logging
import ReadServer
import ServiceLifecycle
import StatsdCore
import StatsdNetwork

/// `stoker serve` (the default command): statsd, the carbon receivers, cache, writer and
/// carbonlink, until SIGTERM or SIGINT, after which statsd flushes a last time and every cached
/// point is written before exit 0. With `[cache] ENABLED = false` only statsd runs and its
/// flushes go upstream (graphiteHost): a per-host aggregation tier.
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
        let quotas: QuotaRules
        var warnings: [String]
        do {
            configuration = try StokerConfiguration.load(path: config, instance: instance)
            try configuration.validate()
            let rules = try configuration.storageLayout()
            layout = rules.layout
            quotas = try configuration.quotaRules().rules
            warnings = configuration.warnings + rules.warnings
        } catch {
            Console.err("[ERROR] \(error)\n")
            throw ExitCode(2)
        }
        let logger = LogSetup.bootstrap(level: configuration.carbon.logLevel)
        let filters = configuration.filters()
        warnings += filters?.warnings ?? []
        for warning in warnings { logger.warning("event=config_warning message=\"\(warning)\"") }

        var carbon: CarbonService?
        if configuration.carbon.enabled {
            do {
                try FileSystem.makeDirectories(configuration.carbon.localDataDirectory)
            } catch {
                logger.critical("event=startup_failed error=\"\(error)\"")
                throw ExitCode(1)
            }
            let service = CarbonService(settings: configuration.carbon, instance: instance, layout: layout,
                                        filters: filters, quotas: quotas, logger: logger)
            carbon = service
        }
        let statsd = configuration.statsd.enabled
            ? StatsdServer(settings: configuration.statsd, logger: logger, sink: Self.sink(into: carbon?.intake)) : nil
        let state = ServingState()
        let reads = carbon.flatMap { carbon in
            configuration.api.isEnabled
                ? ReadSide(settings: configuration.api, carbon: carbon, statsd: statsd, state: state, logger: logger) : nil
        }
        let pipeline = PipelineLifecycle(carbon: carbon, statsd: statsd, manhole: configuration.manhole,
                                         instance: instance, logger: logger, notifier: SystemdNotifier(),
                                         reads: reads, state: state)
        let reload = ReloadOnHangup(configuration: configuration, carbon: carbon, logger: logger)
        // A graceful shutdown reaches the services last to first: the reload loop ends (and
        // its end is no reason to stop anything else), then the pipeline drains.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: pipeline),
                       .init(service: reload, successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("event=startup_failed error=\"\(error)\"")
            throw ExitCode(1)
        }
        logger.info("event=stopped")
    }

    /// Statsd's flushes enter carbon's receive path, as statsd's graphite backend would have
    /// sent them; without a local carbon only the upstream copy remains.
    static func sink(into intake: MetricIntake?) -> StatsdServer.Sink {
        guard let intake else { return { _ in } }
        return { flush in
            let timestamp = Double(flush.timestamp)
            // statsd's senders cannot be paused (UDP): at a full cache its points are dropped
            // and counted (cache.overflow), never stored past the ceiling. The flush goes in by
            // name bytes, in batches grouped by shard, as a receiver's reads do.
            intake.accept(flush.datapoints, overflow: .drop) { ($0.name, $0.value, timestamp) }
            intake.accept(flush.stampedDatapoints, overflow: .drop) { ($0.name, $0.value, Double($0.timestamp)) }
        }
    }
}
