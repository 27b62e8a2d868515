import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Dispatch
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
