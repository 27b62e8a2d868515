import ArgumentParser

/// `stoker whisper ...`: the whisper-* tools, output-compatible with Graphite's scripts.
struct WhisperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whisper",
        abstract: "Inspect and edit whisper files like Graphite's whisper-* scripts.",
        subcommands: [
            WhisperInfoCommand.self,
            WhisperFetchCommand.self,
            WhisperCreateCommand.self,
            WhisperUpdateCommand.self,
            WhisperSetAggregationMethodCommand.self,
        ]
    )
}
