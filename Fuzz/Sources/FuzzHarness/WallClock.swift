import CarbonConfig
import CarbonCache
import CarbonWriter
import CarbonNetwork
import ServerRuntime

/// The wall-clock seconds a run may have stamped on a `-1` point, widened to whole seconds on
/// both sides (MIN_TIMESTAMP_RESOLUTION rounds down).
public struct WallClockWindow {
    private let start = wallClockSeconds()

    public init() {}

    public var sinceStart: ClosedRange<Double> {
        (start - 1).rounded(.down)...(wallClockSeconds() + 1).rounded(.up)
    }
}
