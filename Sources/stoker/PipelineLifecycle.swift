import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import Logging
import Manhole
import ReadServer
import ServiceLifecycle
import StatsdCore
import StatsdNetwork

/// Runs the pipeline under swift-service-lifecycle: starts carbon, then statsd; waits for
/// SIGTERM/SIGINT; then stops statsd (its final flush reaches the cache, or the upstream in
/// statsd-only mode) and drains the whole cache to disk before returning.
struct PipelineLifecycle: Service {
    let carbon: CarbonService?
    let statsd: StatsdServer?
    let manhole: ManholeSettings
    let instance: String
    let logger: Logger
    let notifier: SystemdNotifier
    /// The `[api]` listener; up first so `/health` tells the start, down last so it tells the drain.
    let reads: ReadSide?
    let state: ServingState

    func run() async throws {
        var ports: [String] = []
        if let reads {
            let address = try await reads.start()
            ports.append("api=\(address.ipAddress ?? "?"):\(address.port ?? 0)")
        }
        if let carbon {
            ports += try await carbon.start().map { "\($0.name)=\($0.address.ipAddress ?? "?"):\($0.address.port ?? 0)" }
        }
        if let statsd {
            ports += try await statsd.start().map { "\($0.name)=\($0.path ?? String($0.port))" }
        }
        var manholeServer: ManholeServer?
        if manhole.enabled, let carbon {
            let context = ManholeContext(carbon: carbon, manhole: manhole, statsd: statsd.map { StatsdServerInspection(server: $0) })
            let server = ManholeServer(settings: manhole, context: context, logger: logger)
            ports.append("manhole=\(manhole.interface):\(try server.start())")
            manholeServer = server
        } else if manhole.enabled {
            // The manhole inspects the carbon half; statsd-only mode has none to show.
            logger.warning("event=manhole_disabled reason=\"statsd-only mode ([cache] ENABLED = false)\"")
        }
        let storage = carbon.map { "data_dir=\($0.settings.localDataDirectory)" } ?? "mode=statsd-only"
        logger.info("event=started version=\(StokerVersion.current) instance=\(instance) \(storage) \(ports.joined(separator: " "))")
        state.enter(.serving)
        notifier.ready(status: "Serving: \(ports.joined(separator: " "))")
        try? await gracefulShutdown()
        logger.info("event=stopping reason=signal")
        state.enter(.draining)
        notifier.stopping(status: "Stopping: statsd's final flush")
        await manholeServer?.shutdown()
        await statsd?.stop()
        notifier.status("Stopping: writing the cache to disk")
        await carbon?.shutdown(drainProgress: { [notifier] progress in
            notifier.status("Stopping: writing the cache to disk, \(progress.pointsLeft) points of \(progress.metricsLeft) metrics left")
            // Only a drain that still makes progress may outlast TimeoutStopSec.
            if progress.advanced { notifier.extendTimeout(seconds: Self.drainTimeoutExtension) }
        })
        await reads?.stop()
    }

    /// What each second of progress adds to systemd's stop timeout: a drain that stalls for
    /// this long is left to TimeoutStopSec.
    static let drainTimeoutExtension = 30
}
