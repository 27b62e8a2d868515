/// Why a line (or one `:value` segment of it) was rejected; each rejection counts one bad line.
public enum BadLineReason: String, Error, Sendable, Equatable, CaseIterable {
    /// No `:` in the metric text (statsd's synthetic value `1` has no type).
    case missingColon
    /// A segment without `|type`.
    case missingType
    /// The field after the type is not `@` followed by a positive finite number starting with
    /// a digit or `.` (Stoker also rejects `@ 0.5`, `@+0.5`, `@Infinity` and `@0`).
    case invalidSampleRate
    /// The value is not a JavaScript number where one is required.
    case invalidValue
    /// An `ms` value below zero.
    case negativeTimerValue
    /// The line is longer than `maxLineLength`.
    case lineTooLong
}
