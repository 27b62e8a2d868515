import ArgumentParser

/// The `stoker` executable: one process standing in for statsd and carbon-cache, plus the
/// whisper command-line tools.
@main
struct Stoker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stoker",
        abstract: "statsd + carbon-cache in one process, with Graphite-compatible whisper files.",
        version: StokerVersion.current,
        subcommands: [ServeCommand.self, WhisperCommand.self, CheckConfigCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
