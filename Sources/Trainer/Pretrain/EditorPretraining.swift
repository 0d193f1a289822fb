import Engine
import Foundation
import GRPO
import Imaging
import Models
import World

/// `grpotop pretrain editor`: flow matching on local edits, starting from the generator.
public struct EditorPretrainConfig: ValidatedConfig, Equatable {
  public var seed: UInt64 = 1
  public var steps = 2000
  public var batchSize = 32
  public var lr: Float = 5e-4
  public var warmupSteps = 100
  public var weightDecay: Float = 0
  public var gradClip: Float = 1
  public var emaDecay: Float = 0.999
  /// Share of pairs whose instruction is the content's own prompt (copy the image).
  public var keepShare: Float = 0.1
  public var curvePoints = 100
  /// Generator weights to start from, as Kontext starts from FLUX: `shipped` (the shipped
  /// generator), a path, or "" for a fresh initialisation of `model`. The new content_embed
  /// table always starts fresh.
  public var initWeights = "shipped"
  /// The architecture; with init weights it must equal the file's.
  public var model = GeneratorConfig()
  public var prompts = PromptDistribution()
  /// Held-out edits of each kind scored after training (ODE, `evalSteps` steps).
  public var evalPairs = 100
  public var evalSteps = 10
  public var output = "runs/pretrain/editor"

  public init() {}
  public static var defaults: EditorPretrainConfig { EditorPretrainConfig() }

  public func validate() throws {
    try require(steps >= 1, "steps", "must be at least 1, got \(steps)")
    try require(batchSize >= 1 && batchSize <= 1024, "batchSize", "must be in 1...1024, got \(batchSize)")
    try require(lr > 0 && lr < 1, "lr", "must be in (0, 1), got \(lr)")
    try require(keepShare >= 0 && keepShare <= 1, "keepShare", "must be in [0, 1], got \(keepShare)")
    try require(emaDecay >= 0 && emaDecay < 1, "emaDecay", "must be in [0, 1), got \(emaDecay)")
    try require(evalPairs >= 0 && evalSteps >= 1, "evalPairs", "eval_pairs must be ≥ 0 and eval_steps ≥ 1")
    try require(model.imageSize % model.patch == 0, "model.imageSize", "must be a multiple of model.patch (\(model.patch))")
    try require(model.width % model.heads == 0, "model.width", "must be divisible by model.heads (\(model.heads))")
  }
}

/// One row of the editor's held-out report: mean absolute pixel error (in [0, 1] units) of the
/// edited output against the target, beside the error of returning the content unchanged.
public struct EditRow: Codable, Sendable {
  public var task: String
  public var pairs: Int
  public var editorL1: Float
  public var copyL1: Float
}

/// What an editor pretraining run reports beside its weights.
public struct EditorPretrainReport: Codable, Sendable {
  public var steps: Int
  public var batchSize: Int
  public var seconds: Double
  public var imagesPerSecond: Double
  public var finalLoss: Float
  public var lossCurve: [[Float]]
  public var parameters: Int
  /// Held-out local edits per kind, then style instructions (never trained: the base model's
  /// weakness that Style-GRPO's SFT and GRPO address).
  public var heldOut: [EditRow]

  /// The table printed after pretraining.
  public func table() -> String {
    var lines = ["editor on held-out content (ODE): mean |output − target| against copying the content",
                 "task          pairs   editor    copy"]
    for r in heldOut {
      lines.append(r.task.padding(toLength: 12, withPad: " ", startingAt: 0)
        + String(format: " %6d %8.4f %7.4f", r.pairs, r.editorL1, r.copyL1))
    }
    return lines.joined(separator: "\n")
  }
}

/// Flow matching of the editor: x_t = (1 − t)·target + t·ε, v = ε − target, conditioned on the
/// content image's tokens and the instruction.
public func pretrainEditor(_ cfg: EditorPretrainConfig, log: (String) -> Void) throws -> EditorPretrainReport {
  var modelConfig = cfg.model
  modelConfig.vocabularySize = Tokenizer.vocabulary.count
  modelConfig.promptTokens = Tokenizer.maxTokens
  var initFile: (SafeTensorsFile, String)? = nil
  if !cfg.initWeights.isEmpty {
    let path = try ModelLoader.resolve("generator", path: cfg.initWeights == "shipped" ? nil : cfg.initWeights)
    let (file, fileConfig) = try ModelLoader.open(path, expecting: "generator", config: GeneratorConfig.self)
    try require(fileConfig == modelConfig, "model", "differs from the config in \(path): \(fileConfig)")
    initFile = (file, path)
  }
  modelConfig.contentTokens = true
  let store = ParameterStore()
  let editor = Generator(modelConfig, store: store)
  store.allocate(seed: cfg.seed)
  if let (file, path) = initFile { try store.load(file, path: path, allowMissing: true) }
  let opt = AdamW(store: store, config: AdamWConfig(lr: cfg.lr, weightDecay: cfg.weightDecay))
  let ema = EMA(store: store, decay: cfg.emaDecay)
  let schedule = WarmupCosine(warmupSteps: cfg.warmupSteps, finalFraction: 0.1)
  log("editor: \(store.count) parameters, \(cfg.steps) steps of \(cfg.batchSize) at \(modelConfig.imageSize) px"
    + (initFile.map { " from \($0.1)" } ?? " from scratch"))

  let B = cfg.batchSize, S = modelConfig.imageSize, L = modelConfig.promptTokens, D = 3 * S * S
  let dataRNG = RNG(seed: cfg.seed).stream(1)
  let (distribution, keep) = (cfg.prompts, cfg.keepShare)
  let batches = BatchPrefetcher { step in EditBatch.make(step: step, size: B, imageSize: S, distribution: distribution, keepShare: keep, rng: dataRNG) }

  let g = Graph()
  var progress = ProgressLine(label: "pretrain editor", total: cfg.steps)
  var curve = LossCurve(steps: cfg.steps, points: cfg.curvePoints)
  var lastLoss: Float = 0
  for step in 0..<cfg.steps {
    let batch = batches.take(step, prefetchNext: step + 1 < cfg.steps)
    opt.config.lr = schedule.rate(step: step, total: cfg.steps, lr: cfg.lr)
    g.reset()
    store.zeroGrads()
    let v = editor.velocity(g, x: g.constant(batch.flow.noisy, Shape(B, 3, S, S)), t: g.constant(batch.flow.times, Shape(B)),
                            tokens: g.constant(batch.flow.tokens, Shape(B, L)), mask: g.constant(batch.flow.mask, Shape(B, L)),
                            content: g.constant(batch.content, Shape(B, 3, S, S)))
    let loss = g.mse(v, g.constant(batch.flow.target, Shape(B, 3, S, S)))
    g.backward(from: loss)
    store.clipGradNorm(cfg.gradClip)
    opt.update()
    ema.update()
    lastLoss = loss[0]
    curve.add(lastLoss, step: step)
    progress.update(step + 1, items: (step + 1) * B, fields: [("loss", String(format: "%.4f", curve.last(or: lastLoss)))])
  }
  let seconds = progress.elapsed
  ema.swap()

  var rows: [EditRow] = []
  if cfg.evalPairs > 0 {
    log("editor: scoring \(cfg.evalPairs) held-out edits of each kind and \(cfg.evalPairs) style instructions")
    let held = EditPairs.build(count: 4 * cfg.evalPairs, size: S, heldOut: true, seed: cfg.seed &+ 500, keepShare: 0.25,
                               distribution: cfg.prompts)
    for kind in EditKind.allCases {
      let pairs = held.filter { $0.kind == kind }
      if !pairs.isEmpty { rows.append(editRow(kind.rawValue, pairs, editor: editor, steps: cfg.evalSteps, seed: cfg.seed, dims: D)) }
    }
    let prompts = PromptSampler(seed: cfg.seed &+ 501, distribution: cfg.prompts).heldOut(count: cfg.evalPairs)
    let styled = prompts.enumerated().map { i, p in
      EditPairs.styled(prompt: p, style: Style.allCases[i % Style.allCases.count], size: S, seed: UInt64(i))
    }
    rows.append(editRow("style", styled, editor: editor, steps: cfg.evalSteps, seed: cfg.seed, dims: D))
  }
  let report = EditorPretrainReport(steps: cfg.steps, batchSize: B, seconds: seconds, imagesPerSecond: Double(cfg.steps * B) / seconds,
                                    finalLoss: curve.last(or: lastLoss), lossCurve: curve.points, parameters: store.count, heldOut: rows)
  try saveWeights(store, model: "editor", config: modelConfig, to: "\(cfg.output)/editor.safetensors")
  try AtomicFile.writeJSON(report, to: "\(cfg.output)/report.json")
  log("editor: weights and report in \(cfg.output)")
  return report
}

/// Edits `pairs` with the editor (ODE from seeded noise) and measures the error to the targets.
func editRow(_ task: String, _ pairs: [EditPair], editor: Generator, steps: Int, seed: UInt64, dims D: Int) -> EditRow {
  let outputs = Generate.images(editor, prompts: pairs.map(\.instruction), contents: pairs.map(\.content), seed: seed,
                                steps: steps).map { $0.planarSigned() }
  var editorError: Float = 0, copyError: Float = 0
  for (pair, out) in zip(pairs, outputs) {
    let target = pair.target.planarSigned(), content = pair.content.planarSigned()
    for i in 0..<D {
      editorError += abs(out[i] - target[i]) / 2
      copyError += abs(content[i] - target[i]) / 2
    }
  }
  let n = Float(max(pairs.count * D, 1))
  return EditRow(task: task, pairs: pairs.count, editorL1: editorError / n, copyL1: copyError / n)
}

/// One batch of edit pairs for flow matching, as flat arrays.
struct EditBatch: Sendable {
  var flow: FlowBatch
  var content: [Float]  // (B, 3, S, S)

  /// Batch `step`: prompts, edits, noise and times from streams of `rng` named by the step.
  static func make(step: Int, size B: Int, imageSize S: Int, distribution: PromptDistribution, keepShare: Float, rng: RNG) -> EditBatch {
    var r = rng.stream(UInt64(step))
    let pairs = EditPairs.build(count: B, size: S, heldOut: false, seed: r.nextBlock().hashSeed, keepShare: keepShare,
                                distribution: distribution)
    let D = 3 * S * S, L = Tokenizer.maxTokens
    var batch = EditBatch(
      flow: FlowBatch(noisy: .init(repeating: 0, count: B * D), target: .init(repeating: 0, count: B * D),
                      times: .init(repeating: 0, count: B), tokens: .init(repeating: 0, count: B * L), mask: .init(repeating: 0, count: B * L)),
      content: [])
    batch.content.reserveCapacity(B * D)
    for (b, pair) in pairs.enumerated() {
      batch.content += pair.content.planarSigned()
      let x0 = pair.target.planarSigned()
      let t = r.uniform()
      batch.flow.times[b] = t
      for i in 0..<D {
        let eps = r.normal()
        batch.flow.noisy[b * D + i] = (1 - t) * x0[i] + t * eps
        batch.flow.target[b * D + i] = eps - x0[i]
      }
      let input = Tokenizer.modelInputs(pair.instruction)
      batch.flow.tokens.replaceSubrange((b * L)..<((b + 1) * L), with: input.ids)
      batch.flow.mask.replaceSubrange((b * L)..<((b + 1) * L), with: input.mask)
    }
    return batch
  }
}
