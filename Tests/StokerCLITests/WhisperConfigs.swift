/// Archive lists, xFilesFactors and methods the CLI tests create with both tools.
struct WhisperConfig: CustomStringConvertible {
    var retentions: [String]
    var xff: String?
    var method: String?

    /// Arguments for /usr/bin/whisper-create.
    func referenceArguments(_ file: String) -> [String] {
        [file] + retentions
            + (xff.map { ["--xFilesFactor", $0] } ?? [])
            + (method.map { ["--aggregationMethod", $0] } ?? [])
    }

    /// Arguments for `stoker whisper create`, with stoker's own option spellings.
    func stokerArguments(_ file: String) -> [String] {
        ["whisper", "create", file] + retentions
            + (xff.map { ["--xff", $0] } ?? [])
            + (method.map { ["--aggregation-method", $0] } ?? [])
    }

    var description: String { "\(retentions) xff \(xff ?? "default") \(method ?? "default")" }

    static let all: [WhisperConfig] = [
        WhisperConfig(retentions: ["60:1440"], xff: nil, method: nil),
        WhisperConfig(retentions: ["60:1440", "5m:7d"], xff: "0.1", method: "sum"),
        WhisperConfig(retentions: ["10s:6h", "1m:7d", "1h:1y"], xff: "0", method: "avg_zero"),
        WhisperConfig(retentions: ["1s:10m", "60s:1h"], xff: "1", method: "max"),
        WhisperConfig(retentions: ["60:100"], xff: "0.00001", method: "last"),
        WhisperConfig(retentions: ["1h:2y", "1m:1d", "5m:30d"], xff: "0.3333", method: "absmin"),
        WhisperConfig(retentions: ["60:10", "120:10"], xff: "0.5", method: "min"),
    ]
}
