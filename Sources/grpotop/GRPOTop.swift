import ArgumentParser
import Engine

/// The grpotop command line: composes the modules; holds no logic of its own.
@main
struct GRPOTop: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grpotop",
    abstract: "GRPO post-training of flow-matching image generators on the CPU, with a live terminal dashboard.",
    subcommands: [TrainCommand.self, ReplayCommand.self, AttachCommand.self, SnapshotCommand.self, PretrainCommand.self, ProbeCommand.self, SampleCommand.self, EvalCommand.self, Bench.self],
    defaultSubcommand: TrainCommand.self)

}
