import AsyncAlgorithms
import Foundation
import RunProtocol

/// The training run as an actor with its own thread.
///
/// `run()` executes the whole loop synchronously on a dedicated thread (a custom executor),
/// so the cooperative pool stays free for the dashboard. Events stream out on `events`, an
/// AsyncChannel fed through an unbounded buffer: the training thread never waits for the
/// consumer. Commands come in through `send`, from any thread, and take effect at the next
/// phase boundary.
public actor TrainerActor {
  private let executor = ThreadExecutor(name: "grpotop.trainer")
  public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

  /// Every event of the run, in order.
  public nonisolated let events = AsyncChannel<RunEvent>()
  nonisolated let mailbox = CommandMailbox()
  private let session: TrainingSession
  private let continuation: AsyncStream<RunEvent>.Continuation
  /// The run directory.
  public nonisolated let directory: String

  /// Sets up a run: a fresh run directory, or `resume` (a run directory) continued from its
  /// latest checkpoint. `startPaused` holds the run at its first boundary.
  public init(config: TrainConfig, runDirectory: String?, resume: String?, startPaused: Bool = false,
              models given: RunModels? = nil, warn: (String) -> Void) throws {
    let dir: RunDirectory
    var firstSeq = 0
    if let resume {
      dir = try RunDirectory(path: resume)
      if let text = try? String(contentsOfFile: "\(resume)/events.jsonl", encoding: .utf8) {
        firstSeq = text.split(separator: "\n").count
      }
    } else {
      dir = try RunDirectory.create(explicit: runDirectory, algorithm: config.algorithm.rawValue, configYAML: try ConfigLoader.yaml(config))
    }
    let models = try given ?? RunModels(config: config)
    let (stream, continuation) = AsyncStream<RunEvent>.makeStream(bufferingPolicy: .unbounded)
    self.continuation = continuation
    let loop = try GRPOLoop(config: config, models: models, emit: { _ in }, warn: warn)
    if let resume { try Checkpoint.restore(loop, from: try Checkpoint.latest(in: "\(resume)/checkpoints")) }
    // A Style-GRPO run is judged on style transfer (ALGORITHMS.md §5), the others on prompts.
    let style = config.algorithm == .styleGRPO
      ? StyleEvaluation(contents: config.eval.prompts, imageSize: models.generator.config.imageSize, seed: config.eval.seed,
                        steps: config.sample.steps, judge: models.judgeB, backbone: models.backbone?.backbone, styleScore: models.styleScore)
      : nil
    let evaluator = Evaluator(settings: config.eval, sampleSteps: config.sample.steps, guidance: config.sample.guidance, imageSize: models.generator.config.imageSize,
                              judge: models.judgeB, features: models.backbone, style: style)
    session = TrainingSession(loop: loop, directory: dir, evaluator: evaluator, mailbox: mailbox, firstSeq: firstSeq,
                              startPaused: startPaused) { continuation.yield($0) }
    loop.emit = { [unowned session] in session.emit($0) }
    directory = dir.path
    let channel = events
    Task.detached {
      for await e in stream { await channel.send(e) }
      channel.finish()
    }
  }

  /// Posts a command; it applies at the run's next phase boundary.
  public nonisolated func send(_ command: RunCommand) {
    mailbox.post(.command(command))
  }

  /// Adds a line to the run's log (and events.jsonl) at its next phase boundary, or at once
  /// while it is paused: how the control socket reports what it refused.
  public nonisolated func note(_ level: LogLine.Level, _ message: String) {
    mailbox.post(.note(LogLine(level: level, message: message)))
  }

  /// Runs the loop to its end (on the trainer's own thread) and closes the event stream.
  public func run() -> RunEnd {
    let end = session.run()
    continuation.finish()
    return end
  }
}
