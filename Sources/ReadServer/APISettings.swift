import CarbonConfig
import ReadCore

/// The `[api]` section (docs/reads.md §5): where the HTTP listener binds and what one request
/// may cost.
public struct APISettings: Sendable, Equatable {
    public var interface = "127.0.0.1"
    /// 0 turns the listener off.
    public var port = 8080
    public var limits = APILimits()

    public init() {}

    public var isEnabled: Bool { port != 0 }

    typealias Apply = @Sendable (inout APISettings, String) throws(ConfigValue.Invalid) -> Void

    static let keys: [String: Apply] = [
        "interface": { s, v in s.interface = v },
        "port": { s, v throws(ConfigValue.Invalid) in s.port = try ConfigValue.port(v) },
        "max_concurrent_requests": { s, v throws(ConfigValue.Invalid) in s.limits.maxConcurrentRequests = try ConfigValue.integer(v, in: 1...4096) },
        "max_series_per_request": { s, v throws(ConfigValue.Invalid) in s.limits.maxSeriesPerRequest = try ConfigValue.integer(v, in: 1...100_000_000) },
        "max_request_seconds": { s, v throws(ConfigValue.Invalid) in s.limits.maxRequestSeconds = try ConfigValue.number(v, in: 0.1...3600) },
        "max_request_bytes": { s, v throws(ConfigValue.Invalid) in s.limits.maxRequestBytes = try ConfigValue.integer(v, in: 1024...1_073_741_824) },
    ]

    /// Reads `[api]`; unknown keys come back as warnings, bad values as errors.
    public static func from(values: [String: String], fileName: String) throws(ConfigError) -> (settings: APISettings, warnings: [String]) {
        var settings = APISettings()
        var warnings: [String] = []
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let apply = keys[key] else {
                warnings.append("\(fileName): [api] unknown key \(key.uppercased()) ignored")
                continue
            }
            do {
                try apply(&settings, value)
            } catch {
                throw ConfigError(file: fileName, key: key, value: value, reason: error.reason)
            }
        }
        return (settings, warnings)
    }
}
