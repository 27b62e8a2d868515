import Carbon
import Dispatch
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the carbon half under swift-service-lifecycle: starts it, waits for SIGTERM/SIGINT,
/// then stops receiving and drains the whole cache to disk before returning.
struct CarbonLifecycle: Service {
    let carbon: CarbonService
    let logger: Logger

    func run() async throws {
        let bound = try await carbon.start()
        let ports = bound.map { "\($0.name)=\($0.address.ipAddress ?? "?"):\($0.address.port ?? 0)" }.joined(separator: " ")
        logger.info("event=started instance=\(carbon.instance) data_dir=\(carbon.settings.localDataDirectory) \(ports)")
        try? await gracefulShutdown()
        logger.info("event=stopping reason=signal")
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
