/// One line of a flush: the graphite metric name and its value (every datapoint of a flush
/// carries the flush's timestamp).
public struct StatsdDatapoint: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var value: Double

    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }

    /// `name value` with the value printed as JavaScript prints it.
    public var description: String { name + " " + JavaScriptNumberFormatter.string(value) }
}

/// A datapoint with a timestamp of its own: a DogStatsD sample the client stamped (`|T`).
public struct StatsdStampedDatapoint: Sendable, Equatable {
    public var name: String
    public var value: Double
    public var timestamp: Int

    public init(_ name: String, _ value: Double, _ timestamp: Int) {
        self.name = name
        self.value = value
        self.timestamp = timestamp
    }
}
