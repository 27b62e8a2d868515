import ArgumentParser

/// `stoker-bench`: measurements of Stoker against C baselines on this machine. One
/// subcommand per suite; each prints a table and can record it in BENCHMARKS.md.
@main
struct StokerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stoker-bench",
        abstract: "Benchmarks of Stoker against syscall-level C baselines.",
        subcommands: [WhisperBenchmark.self, CarbonBenchmark.self, StatsdBenchmark.self, ManholeBenchmark.self, SoakBenchmark.self, SteadyBenchmark.self,
                      ReadBenchmark.self]
    )
}
