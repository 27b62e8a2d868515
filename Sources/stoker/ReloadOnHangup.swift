import CarbonNetwork
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads the storage rules and the white/blacklists (carbon re-reads them on timers).
/// A service of the pipeline's group: the signal arrives as swift-service-lifecycle's async
/// sequence, which ends at the graceful shutdown. In statsd-only mode there is nothing to
/// reload, and SIGHUP is still caught (its default would end the process).
struct ReloadOnHangup: Service {
    let configuration: StokerConfiguration
    let carbon: CarbonService?
    let logger: Logger

    func run() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            reload()
        }
    }

    /// Reads the rule files again (a few small files) and hands them to the writer and the
    /// receivers; a file that does not parse leaves every rule as it was.
    func reload() {
        guard let carbon else {
            logger.info("event=reload_skipped reason=\"statsd-only mode: no storage rules\"")
            return
        }
        do {
            let (layout, warnings) = try configuration.storageLayout()
            let quotas = try configuration.quotaRules().rules
            for warning in warnings { logger.warning("event=config_warning message=\"\(warning)\"") }
            carbon.writer.reloadLayout(layout)
            if let filters = configuration.filters() { carbon.intake.replaceFilters(filters) }
            if quotas != carbon.quotas.rules { carbon.reloadQuotas(quotas) }
            logger.info("event=reloaded files=storage-schemas,storage-aggregation,whitelist,blacklist,quotas")
        } catch {
            logger.error("event=reload_failed error=\"\(error)\" rules=unchanged")
        }
    }
}
