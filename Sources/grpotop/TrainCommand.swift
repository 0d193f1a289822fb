import ArgumentParser
import Dispatch
import Engine
import Foundation
import RunProtocol
import Trainer

/// `grpotop train`: a GRPO run on a config; headless without a terminal.
struct TrainCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Run GRPO post-training (Flow-GRPO, Adv-GRPO, Pref-GRPO) on a config.")

  @Option(help: "YAML config (default: the built-in Adv-GRPO defaults = Configs/adv-grpo.yaml).") var config: String?
  @Option(name: .customLong("set"), help: "Override a config key, e.g. --set grpo.lr=1e-4 (repeatable).") var overrides: [String] = []
  @Flag(help: "Print one progress line per iteration instead of the dashboard.") var headless = false
  @Option(help: "Continue the run in this directory from its latest checkpoint.") var resume: String?
  @Option(name: .customLong("run-dir"), help: "Write the run here instead of runs/<time>-<algorithm>.") var runDir: String?
  @Flag(help: "Hold the run at its first phase boundary until resumed.") var startPaused = false

  func run() async throws {
    let cfg: TrainConfig
    do {
      let path = resume.map { "\($0)/config.yaml" } ?? config
      cfg = try ConfigLoader.load(TrainConfig.self, path: path, overrides: overrides)
    } catch let e as ConfigError { throw ValidationError(e.description) }
    BLAS.setThreads(cfg.threads)
    let trainer: TrainerActor
    do {
      trainer = try TrainerActor(config: cfg, runDirectory: runDir, resume: resume, startPaused: startPaused) { warning in
        FileHandle.standardError.write(Data(("warning: " + warning + "\n").utf8))
      }
    } catch { throw ValidationError(String(describing: error)) }
    let signals = SignalStop(trainer: trainer)
    defer { signals.cancel() }
    let runTask = Task { await trainer.run() }
    var reporter = HeadlessReporter()
    for await event in trainer.events {
      if let line = reporter.line(for: event) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
    let end = await runTask.value
    if end.status == "failed" { throw ExitCode(1) }
  }
}

/// SIGINT and SIGTERM become a stop command: the run saves a checkpoint and exits cleanly.
final class SignalStop: @unchecked Sendable {
  private var sources: [DispatchSourceSignal] = []

  init(trainer: TrainerActor) {
    for sig in [SIGINT, SIGTERM] {
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler { trainer.send(RunCommand(id: 0, by: "signal", action: .stop)) }
      source.resume()
      sources.append(source)
    }
  }

  func cancel() { sources.forEach { $0.cancel() } }
}
