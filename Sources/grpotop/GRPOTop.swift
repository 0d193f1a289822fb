import ArgumentParser
import Engine

/// The grpotop command line: composes the modules; holds no logic of its own.
@main
struct GRPOTop: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grpotop",
    abstract: "GRPO post-training of flow-matching image generators on the CPU, with a live terminal dashboard.",
    subcommands: [TrainCommand.self, ReplayCommand.self, PretrainCommand.self, SampleCommand.self, Bench.self])

  /// Bare `grpotop`: until the trainer lands, show what exists and measure the engine.
  func run() async throws {
    print(GRPOTop.helpMessage())
    print("Training is not built yet; measuring the engine instead.\n")
    BLAS.setThreads(1)
    try EngineBenchCommand.parse(["--threads", "1"]).run()
  }
}
