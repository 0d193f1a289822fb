import Foundation
import Imaging
import RunProtocol

/// One run from start to end on the training thread: events numbered and written to
/// events.jsonl as they happen, commands applied at phase boundaries, periodic evaluation
/// and checkpoints, and a checkpoint on stop.
final class TrainingSession {
  let loop: GRPOLoop
  let directory: RunDirectory
  let evaluator: Evaluator?
  let mailbox: CommandMailbox
  let publish: (RunEvent) -> Void
  var config: TrainConfig
  let runID: String
  private var seq: Int
  private var paused = false
  private var pauseAfterIteration = false
  private var started = Date()
  private var startIteration = 0

  init(loop: GRPOLoop, directory: RunDirectory, evaluator: Evaluator?, mailbox: CommandMailbox, firstSeq: Int, startPaused: Bool,
       publish: @escaping (RunEvent) -> Void) {
    self.loop = loop
    self.directory = directory
    self.evaluator = evaluator
    self.mailbox = mailbox
    self.publish = publish
    config = loop.config
    seq = firstSeq
    paused = startPaused
    runID = (directory.path as NSString).lastPathComponent
  }

  /// Numbers, records and forwards one event.
  func emit(_ payload: EventPayload) {
    let event = RunEvent(seq: seq, time: Date().timeIntervalSince1970, payload: payload)
    seq += 1
    directory.append(event)
    publish(event)
  }

  func log(_ level: LogLine.Level, _ message: String) { emit(.log(LogLine(level: level, message: message))) }

  /// Runs to the end (or a stop) and returns how it ended.
  func run() -> RunEnd {
    startIteration = loop.iteration
    started = Date()
    emit(.runStart(RunStart(
      runID: runID, algorithm: config.algorithm.rawValue, config: configJSON(), hyperparameters: HyperparameterSchema.specs(for: config),
      totalIterations: config.iterations, groupSize: config.grpo.groupSize, promptsPerIteration: config.grpo.promptsPerIteration,
      rewards: config.rewards.map(\.name), runDirectory: directory.path, startIteration: loop.iteration)))
    loop.boundary = { [unowned self] phase, _ in try self.boundary(phase) }
    do {
      if loop.iteration == 0 { try evaluate() }
      while loop.iteration < config.iterations {
        try loop.runIteration()
        let done = loop.iteration
        if pauseAfterIteration {
          pauseAfterIteration = false
          paused = true
        }
        if config.checkpoint.every > 0, done % config.checkpoint.every == 0 { try checkpoint(reason: "periodic") }
        if config.eval.every > 0, done % config.eval.every == 0, done < config.iterations { try evaluate() }
      }
      try evaluate()
      try checkpoint(reason: "end")
      let end = RunEnd(iteration: loop.iteration, status: "completed")
      emit(.phase(PhaseChange(iteration: loop.iteration, phase: .finished)))
      emit(.runEnd(end))
      return end
    } catch is StopRequested {
      try? checkpoint(reason: "stop")
      let end = RunEnd(iteration: loop.iteration, status: "stopped")
      emit(.runEnd(end))
      return end
    } catch {
      let end = RunEnd(iteration: loop.iteration, status: "failed", message: String(describing: error))
      log(.error, String(describing: error))
      emit(.runEnd(end))
      return end
    }
  }

  // MARK: Boundaries and commands

  func boundary(_ phase: Phase) throws {
    for mail in mailbox.drain() { try handle(mail) }
    if paused {
      emit(.phase(PhaseChange(iteration: loop.iteration, phase: .paused)))
      while paused { try handle(mailbox.wait()) }
      emit(.phase(PhaseChange(iteration: loop.iteration, phase: phase)))
    }
  }

  func handle(_ mail: Mail) throws {
    switch mail {
    case .command(let command): try handle(command)
    case .note(let line): emit(.log(line))
    }
  }

  func handle(_ command: RunCommand) throws {
    switch command.action {
    case .pause:
      paused = true
    case .resume:
      paused = false
      pauseAfterIteration = false
    case .step:
      if paused {
        paused = false
        pauseAfterIteration = true
      }
    case .set(let key, let value):
      var changed = config
      do {
        let old = try HyperparameterSchema.apply(key: key, value: value, to: &changed)
        config = changed
        loop.setConfig(changed)
        emit(.hyperparameterChange(HyperparameterChange(iteration: loop.iteration, key: key, old: old, new: value, by: command.by)))
      } catch {
        log(.warning, "refused \(key) = \(value) from \(command.by): \(error)")
      }
    case .saveCheckpoint:
      try checkpoint(reason: "request")
    case .snapshot:
      log(.info, "snapshot requested by \(command.by)")
    case .stop:
      throw StopRequested()
    }
  }

  // MARK: Periodic work

  func evaluate() throws {
    guard let evaluator else { return }
    emit(.phase(PhaseChange(iteration: loop.iteration, phase: .evaluation)))
    let values = evaluator.evaluate(loop.models.generator)
    emit(.evaluation(Metrics(iteration: loop.iteration, values: values)))
  }

  func checkpoint(reason: String) throws {
    let path = try Checkpoint.save(loop: loop, directory: directory.checkpointsPath)
    emit(.checkpoint(CheckpointSaved(iteration: loop.iteration, path: path, reason: reason)))
  }

  func configJSON() -> JSONValue {
    guard let tree = try? ConfigLoader.defaultTree(config),
          let data = try? JSONSerialization.data(withJSONObject: tree),
          let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
    return value
  }
}
