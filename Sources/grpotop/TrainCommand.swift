import ArgumentParser
import Dashboard
import Dispatch
import Engine
import Foundation
import RunProtocol
import Trainer

/// `grpotop train`: a GRPO run on a config, with the dashboard on a terminal and one progress
/// line per iteration without one (or with --headless).
struct TrainCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train", abstract: "Run GRPO post-training (Flow-GRPO, Adv-GRPO, Pref-GRPO) on a config.")

  @Option(help: "YAML config (default: the built-in Adv-GRPO defaults = Configs/adv-grpo.yaml).") var config: String?
  @Option(name: .customLong("set"), help: "Override a config key, e.g. --set grpo.lr=1e-4 (repeatable).") var overrides: [String] = []
  @Flag(help: "Print one progress line per iteration instead of the dashboard.") var headless = false
  @Option(help: "Continue the run in this directory from its latest checkpoint.") var resume: String?
  @Option(name: .customLong("run-dir"), help: "Write the run here instead of runs/<time>-<algorithm>.") var runDir: String?
  @Flag(help: "Hold the run at its first phase boundary until resumed.") var startPaused = false
  @Flag(help: "Dashboard without control keys (watch only).") var readOnly = false
  @OptionGroup var display: DisplayOptions
  @Option(help: "Serve a control socket here (0600, in a 0700 directory), so `grpotop attach --control` can steer the run.")
  var control: String?

  func run() async throws {
    let cfg = try ConfigLoader.load(TrainConfig.self, path: resume.map { "\($0)/config.yaml" } ?? config, overrides: overrides)
    BLAS.setThreads(cfg.threads)
    let useDashboard = !headless && isatty(0) != 0 && isatty(1) != 0 && !(ProcessInfo.processInfo.environment["TERM"] ?? "").isEmpty
    // While the dashboard owns the screen, warnings wait and are printed after it closes.
    let warnings = WarningSink()
    let trainer = try TrainerActor(config: cfg, runDirectory: runDir, resume: resume, startPaused: startPaused) { warnings.write($0) }
    let server = try control.map { try ControlServer.serving(trainer, at: $0) }
    defer { server?.close() }
    if let path = control {
      let hint = "control socket \(path); from another shell: grpotop attach --follow \(trainer.directory)/events.jsonl --control \(path)"
      trainer.note(.info, hint)
      if !useDashboard { FileHandle.standardError.write(Data(("grpotop: " + hint + "\n").utf8)) }
    }
    let end: RunEnd
    if useDashboard {
      warnings.hold()
      defer { warnings.release() }
      end = try await runWithDashboard(trainer, algorithm: cfg.algorithm.rawValue)
    } else {
      end = await runHeadless(trainer)
    }
    if end.status == "failed" { throw ExitCode(1) }
  }

  /// One progress line per iteration on stderr; SIGINT/SIGTERM/SIGHUP save and stop.
  private func runHeadless(_ trainer: TrainerActor) async -> RunEnd {
    let signals = SignalStop(trainer: trainer)
    defer { signals.cancel() }
    let runTask = Task { await trainer.run() }
    var reporter = HeadlessReporter()
    for await event in trainer.events {
      if let line = reporter.line(for: event) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
    return await runTask.value
  }

  /// The dashboard over the in-process trainer. Its keys become commands; a signal stops the
  /// run (which saves a checkpoint) and then closes the dashboard, restoring the terminal.
  private func runWithDashboard(_ trainer: TrainerActor, algorithm: String) async throws -> RunEnd {
    let app = DashboardApp()
    let signals = SignalStop(trainer: trainer) { app.closeWhenRunEnds() }
    defer { signals.cancel() }
    // The trainer's channel, re-offered as the stream the dashboard drains (it never waits on
    // drawing: the drain only folds events into the dashboard's state).
    let events = AsyncStream<RunEvent> { continuation in
      let pump = Task {
        for await e in trainer.events { continuation.yield(e) }
        continuation.finish()
      }
      continuation.onTermination = { _ in pump.cancel() }
    }
    let runTask = Task { await trainer.run() }
    let options = DashboardOptions(readOnly: readOnly ? "--read-only" : nil, colors: display.colorMode,
                                   theme: display.theme, themeDirectories: display.themeDirectories,
                                   source: "live", handleTerminationSignals: false)
    do {
      try await app.run(events: events, send: { trainer.send($0) }, options: options)
    } catch {
      // The terminal could not be used: stop the run cleanly rather than leave it orphaned.
      trainer.send(RunCommand(id: 0, by: "grpotop", action: .stop))
      _ = await runTask.value
      if var e = error as? TerminalError {
        e.description += " (or use --headless)"
        throw e
      }
      throw error
    }
    // Quitting the dashboard without stopping (q on a finished run, or q twice) still ends the
    // run with a checkpoint: the trainer belongs to this process.
    trainer.send(RunCommand(id: 0, by: "dashboard", action: .stop))
    let end = await runTask.value
    let dir = trainer.directory
    print("grpotop: \(algorithm) \(end.status) at iteration \(end.iteration); run in \(dir)")
    print("  resume: grpotop train --resume \(dir)    review: grpotop replay \(dir)")
    return end
  }
}

/// SIGINT, SIGTERM and SIGHUP become a stop command: the run saves a checkpoint and exits
/// cleanly (SIGHUP: the ssh session is gone, but the run stays resumable).
final class SignalStop: @unchecked Sendable {
  private var sources: [DispatchSourceSignal] = []

  init(trainer: TrainerActor, then: (@Sendable () -> Void)? = nil) {
    for sig in [SIGINT, SIGTERM, SIGHUP] {
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler {
        trainer.send(RunCommand(id: 0, by: "signal", action: .stop))
        then?()
      }
      source.resume()
      sources.append(source)
    }
  }

  func cancel() { sources.forEach { $0.cancel() } }
}

/// Warnings on stderr, or held back while the dashboard owns the screen.
final class WarningSink: @unchecked Sendable {
  private let lock = NSLock()
  private var held: [String]?

  func write(_ warning: String) {
    lock.lock()
    defer { lock.unlock() }
    if held != nil { held?.append(warning) } else { FileHandle.standardError.write(Data(("warning: " + warning + "\n").utf8)) }
  }

  func hold() {
    lock.lock()
    held = held ?? []
    lock.unlock()
  }

  func release() {
    lock.lock()
    let pending = held ?? []
    held = nil
    lock.unlock()
    for w in pending { FileHandle.standardError.write(Data(("warning: " + w + "\n").utf8)) }
  }
}

extension ControlServer {
  /// The run's control socket: its commands go to the trainer's mailbox, its refusals to the
  /// run's log.
  static func serving(_ trainer: TrainerActor, at path: String) throws -> ControlServer {
    try ControlServer(path: path, onCommand: { trainer.send($0) }, onNote: { trainer.note(.warning, $0) })
  }
}
