import ArgumentParser
import Whisper

/// `stoker whisper create FILE RETENTIONS... [--xff X] [--aggregation-method M]
/// [--sparse | --fallocate] [--overwrite]`, writing the same bytes whisper-create writes.
struct WhisperCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a whisper file (like whisper-create).",
        discussion: """
            RETENTIONS are PRECISION:POINTS, e.g. 60:1440 (60 s per point, 1440 points), \
            15m:8, 1h:7d, 12h:2y; several as separate arguments or comma separated.
            """
    )

    @Argument(help: "The whisper file to create.")
    var file: String

    @Argument(help: ArgumentHelp("Archives, e.g. 60:1440 5m:7d.", valueName: "retention"))
    var retentions: [String]

    @Option(name: [.customLong("xff"), .customLong("xFilesFactor")],
            help: "Fraction of known points a lower archive needs (default 0.5).")
    var xff: Double = 0.5

    @Option(name: [.customLong("aggregation-method"), .customLong("aggregationMethod")],
            help: "average, sum, last, max, min, avg_zero, absmax or absmin.")
    var aggregationMethod: String = "average"

    @Flag(help: "Only set the file size; blocks are allocated on write.")
    var sparse = false

    @Flag(help: "Reserve the data area with posix_fallocate.")
    var fallocate = false

    @Flag(help: "Replace the file if it exists.")
    var overwrite = false

    func validate() throws {
        if retentions.isEmpty { throw ValidationError("At least one retention is required.") }
        if sparse && fallocate { throw ValidationError("--sparse and --fallocate exclude each other.") }
    }

    func run() throws {
        try reportingErrors {
            let archives = try RetentionDefinition.parseList(retentions)
            guard let method = AggregationMethod(name: aggregationMethod) else {
                throw WhisperError.invalidAggregationMethod(aggregationMethod)
            }
            if overwrite && FileSystem.exists(file) {
                Console.out("Overwriting existing file: \(file)\n")
                try FileSystem.remove(file)
            }
            let allocation: WhisperAllocation = fallocate ? .fallocate : sparse ? .sparse : .zeroed
            _ = try WhisperFile.create(path: file, archives: archives, xFilesFactor: xff,
                                       aggregationMethod: method, allocation: allocation)
            Console.out("Created: \(file) (\(try FileSystem.size(of: file)) bytes)\n")
        }
    }
}
