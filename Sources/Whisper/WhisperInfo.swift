/// What `whisper.info()` returns, in whisper's key order.
public struct WhisperInfo: Sendable, Equatable {
    public var aggregationMethod: AggregationMethod
    public var maxRetention: Int
    /// The float32 from the header, widened.
    public var xFilesFactor: Double
    public var archives: [ArchiveInfo]

    public init(header: WhisperHeader) {
        aggregationMethod = header.aggregationMethod
        maxRetention = header.maxRetention
        xFilesFactor = Double(header.xFilesFactor)
        archives = header.archives
    }
}
