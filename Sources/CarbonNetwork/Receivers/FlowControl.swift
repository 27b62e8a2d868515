import CarbonCache
import CarbonConfig
import CarbonWriter
import NIOCore

/// USE_FLOW_CONTROL: when the cache reaches MAX_CACHE_SIZE a receiving channel stops reading
/// (the sender's TCP window fills, nothing is dropped) and resumes once the cache is below
/// its low watermark.
final class FlowControl: Sendable {
    let cache: MetricCache
    let pollInterval: TimeAmount

    init(cache: MetricCache, pollInterval: TimeAmount = .milliseconds(20)) {
        self.cache = cache
        self.pollInterval = pollInterval
    }

    /// Called after each read burst on the channel's event loop.
    func pauseIfFull(_ channel: Channel) {
        guard cache.isFull else { return }
        channel.setOption(ChannelOptions.autoRead, value: false).whenSuccess { [self] in
            channel.eventLoop.scheduleRepeatedTask(initialDelay: pollInterval, delay: pollInterval) { task in
                guard self.cache.isBelowLowWatermark || !channel.isActive else { return }
                task.cancel()
                if channel.isActive {
                    channel.setOption(ChannelOptions.autoRead, value: true).whenSuccess { channel.read() }
                }
            }
        }
    }
}
