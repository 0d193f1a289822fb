import ArgumentParser

/// `grpotop bench ...`: speed measured by printed figures and ratios, never by timed tests.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure speed: engine kernels and a DiT training step.",
    subcommands: [EngineBenchCommand.self, GRPOBenchCommand.self, DashboardBenchCommand.self],
    defaultSubcommand: EngineBenchCommand.self)
}
