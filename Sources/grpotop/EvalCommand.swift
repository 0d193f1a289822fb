import ArgumentParser
import Engine
import Foundation
import Models
import Trainer

/// `grpotop eval`: the generator on held-out prompts, scored by judge-b, next to the judge's
/// ceiling (clean renders) and chance (wrong prompts).
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval", abstract: "Evaluate a generator on held-out prompts with judge-b (alignment per attribute, Fréchet, diversity).")

  @Argument(help: ArgumentHelp("A GRPO run directory or one of its checkpoints: its post-trained generator (the base weights its config.yaml names, with the checkpoint's LoRA).",
                               valueName: "run"))
  var trainedRun: String?
  @Option(help: "Generator weights, or a run or checkpoint as above (default: the shipped generator).") var generator: String?
  @Option(help: "Judge weights (default: the shipped judge-b).") var judge: String?
  @Option(help: "Backbone weights for the Fréchet distance (default: the shipped ones).") var backbone: String?
  @Option(name: .customLong("prompts"), help: "Held-out prompts (default 100; with --style, content images, default 32; with --judges, renders, default 1000).")
  var promptsOption: Int?
  // Optional so that --judges, which samples nothing, can refuse them instead of ignoring them.
  @Option(name: .customLong("samples"), help: "Samples per prompt (default 4).") var samplesOption: Int?
  @Option(name: .customLong("steps"), help: "ODE sampler steps (default 10).") var stepsOption: Int?
  @Option(name: .customLong("guidance"), help: "Classifier-free guidance scale (default 1: none).") var guidanceOption: Float?
  @Option(name: .customLong("seed"), help: "Seed of the prompts and the noise (default 1234; with --judges 7, the held-out set of the judges' pretraining reports).")
  var seedOption: UInt64?
  @Option(help: "Also write the scores as JSON here.") var json: String?
  @Option(help: ArgumentHelp("Compare with this generator (\"base\": the shipped one; or weights, a run or a checkpoint) on the same prompts and noise: paired differences with 95 % bootstrap intervals over prompts.",
                             valueName: "generator"))
  var against: String?
  @Flag(help: "Evaluate editors on style transfer instead (Style-GRPO's table); --prompts counts content images.") var style = false
  @Option(name: .customLong("editor"), help: ArgumentHelp("With --style: an editor as label=path (\"base\": the shipped editor; or weights, a run or a checkpoint); repeatable.",
                                                       valueName: "label=path"))
  var editors: [String] = []
  @Option(help: "With --style: also draw content, instruction and outputs into this PNG.") var sheet: String?
  @Flag(help: "With --style: also judge each editor's local edits (recolour, move, background, keep), --prompts of each kind.") var edits = false
  @Flag(help: "Evaluate the judges instead: judge-a and judge-b (or the --judge file) on held-out clean and styled renders, as their pretraining reports do.")
  var judges = false

  /// --prompts, defaulting by mode.
  var prompts: Int { promptsOption ?? (judges ? JudgeEvalConfig().count : style ? 32 : 100) }
  /// --seed, defaulting by mode.
  var seed: UInt64 { seedOption ?? (judges ? JudgeEvalConfig().seed : 1234) }
  var samples: Int { samplesOption ?? 4 }
  var steps: Int { stepsOption ?? 10 }
  var guidance: Float { guidanceOption ?? 1 }

  func validate() throws {
    guard trainedRun == nil || generator == nil else { throw ValidationError("give the run or --generator, not both") }
    guard style || (editors.isEmpty && sheet == nil && !edits) else { throw ValidationError("--editor, --sheet and --edits go with --style") }
    guard !style || (trainedRun == nil && generator == nil && against == nil) else {
      throw ValidationError("with --style, name the editors with --editor label=path")
    }
    guard !judges || (!style && trainedRun == nil && generator == nil && against == nil && backbone == nil
                      && samplesOption == nil && stepsOption == nil && guidanceOption == nil) else {
      throw ValidationError("--judges evaluates judges on renders: give no run, --generator, --against, --backbone, --style, --samples, --steps or --guidance")
    }
    guard prompts >= 2 else { throw ValidationError("--prompts must be at least 2, got \(prompts)") }
    guard samples >= 1 else { throw ValidationError("--samples must be at least 1, got \(samples)") }
    guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
    guard guidance >= 0 && guidance <= 20 else { throw ValidationError("--guidance must be in 0...20, got \(guidance)") }
  }

  func run() throws {
    if style { return try runStyle() }
    if judges { return try runJudges() }
    BLAS.setThreads(1)
    let start = Date()
    let (gen, judgeModel, vit) = try loadModels()
    var settings = EvalSettings()
    settings.prompts = prompts
    settings.samplesPerPrompt = samples
    settings.seed = seed
    var rows: [EvaluationRow]
    var comparison: PairedComparison? = nil
    if let against {
      let baseline = try loadGenerator(against == "base" ? nil : against)
      let name = trainedRun ?? generator ?? "shipped"
      (rows, comparison) = GeneratorEvaluation.paired(generator: gen, baseline: baseline, judge: judgeModel, backbone: vit, settings: settings,
                                                      steps: steps, guidance: guidance, labels: ("A: \(name)", "B: \(against)"), seed: seed)
    } else {
      rows = GeneratorEvaluation.run(generator: gen, judge: judgeModel, backbone: vit, settings: settings, steps: steps, guidance: guidance)
    }
    print("\(prompts) held-out prompts × \(samples) samples, seed \(seed) (\(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
    print(GeneratorEvaluation.table(rows))
    if let comparison { print("\n" + comparison.table(nameA: "A", nameB: "B")) }
    if let json {
      // One entry per row of the table, and "paired" with the comparison under --against.
      var object: [String: Any] = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0.scores) })
      if let comparison { object["paired"] = comparison.jsonObject }
      try AtomicFile.write(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), to: json)
    }
  }

  private func loadGenerator(_ path: String?) throws -> Generator {
    try Checkpoint.anyGenerator(path: path)
  }

  private func loadModels() throws -> (Generator, AttributeJudge, ViT) {
    let model = try loadGenerator(trainedRun ?? generator)
    return (model,
            try judge.map { try ModelLoader.judge(path: $0) } ?? ModelLoader.judge(named: "judge-b"),
            try ModelLoader.backbone(path: backbone))
  }
}
