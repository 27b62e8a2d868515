import Carbon
import Dispatch
import Logging
import ServiceLifecycle
import Statsd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the pipeline under swift-service-lifecycle: starts carbon, then statsd; waits for
/// SIGTERM/SIGINT; then stops statsd (its final flush reaches the cache) and drains the whole
/// cache to disk before returning.
struct PipelineLifecycle: Service {
    let carbon: CarbonService
    let statsd: StatsdServer?
    let logger: Logger

    func run() async throws {
        let bound = try await carbon.start()
        var ports = bound.map { "\($0.name)=\($0.address.ipAddress ?? "?"):\($0.address.port ?? 0)" }
        if let statsd {
            ports += try await statsd.start().map { "\($0.name)=\($0.port)" }
        }
        logger.info("event=started instance=\(carbon.instance) data_dir=\(carbon.settings.localDataDirectory) \(ports.joined(separator: " "))")
        try? await gracefulShutdown()
        logger.info("event=stopping reason=signal")
        await statsd?.stop()
        await carbon.shutdown()
    }
}

/// SIGHUP reloads the storage rules and the white/blacklists (carbon re-reads them on timers).
final class ReloadOnHangup {
    private let source: DispatchSourceSignal

    init(configuration: StokerConfiguration, carbon: CarbonService, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            do {
                let (layout, warnings) = try configuration.storageLayout()
                for warning in warnings { logger.warning("event=config_warning message=\"\(warning)\"") }
                carbon.writer.reloadLayout(layout)
                if let filters = configuration.filters() { carbon.intake.replaceFilters(filters) }
                logger.info("event=reloaded files=storage-schemas,storage-aggregation,whitelist,blacklist")
            } catch {
                logger.error("event=reload_failed error=\"\(error)\" rules=unchanged")
            }
        }
        source.resume()
    }
}
