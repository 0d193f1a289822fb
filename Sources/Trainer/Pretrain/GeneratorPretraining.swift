import Engine
import Foundation
import GRPO
import Imaging
import Models
import World

/// `grpotop pretrain generator`: flow matching on world renders.
public struct GeneratorPretrainConfig: ValidatedConfig, Equatable {
  public var seed: UInt64 = 1
  /// 9,000 steps at lr 1e-3 (about an hour on one core): the first budget, 6,000 at 4e-4,
  /// ended at loss 0.0915 with objects as scattered fragments (judge-b: position 29 %, count
  /// 31 %, aligned 1.5 %); this one ends at 0.0695 with whole blobs in the right place
  /// (position 79 %, count 59 %, aligned 8.8 %), shapes still mostly unformed.
  public var steps = 9000
  public var batchSize = 32
  public var lr: Float = 1e-3
  public var warmupSteps = 300
  public var weightDecay: Float = 0.0
  public var gradClip: Float = 1.0
  /// Decay of the weight average that is saved (DiT samples from an EMA too).
  public var emaDecay: Float = 0.999
  /// Ramp the decay up as min(ema_decay, (1 + step) / (10 + step)), so a short run from a
  /// fresh initialisation does not save an average that is still part random init (at a
  /// fixed 0.999, 1,500 steps leave 22 % of the initial weights in it). Off by default: the
  /// shipped configs ran without it, and long runs barely notice (0.999^9000 ≈ 1e-4).
  public var emaWarmup = false
  /// Loss points kept for the report's curve.
  public var curvePoints = 100
  /// How training times t are drawn: `uniform` on (0, 1), or `logit-normal` (SD3's
  /// t = sigmoid(m + s·z)), which puts more of the budget on the middle of the path. Same
  /// budget, logit-normal(0, 1): aligned 7.2 % against uniform's 8.8 %, position 64 % vs 79 %.
  public var timeSampling = TimeSampling.uniform
  /// Location m and scale s of the logit-normal.
  public var timeMean: Float = 0
  public var timeStd: Float = 1
  /// Share of samples trained with the null prompt (every token masked), so the same network
  /// also learns the unconditional velocity that classifier-free guidance needs. 0: none.
  public var promptDropout: Float = 0
  /// Weights to start from ("" for a fresh initialisation): a second stage continues the first.
  public var initWeights = ""
  public var model = GeneratorConfig()
  public var prompts = PromptDistribution()
  /// Directory for weights, report and sample sheet.
  public var output = "runs/pretrain/generator"

  public init() {}
  public static var defaults: GeneratorPretrainConfig { GeneratorPretrainConfig() }

  /// The configured time distribution as a drawing function.
  var timeDraw: @Sendable (inout RNG) -> Float {
    let (kind, m, s) = (timeSampling, timeMean, timeStd)
    return { kind.draw(&$0, mean: m, std: s) }
  }

  public func validate() throws {
    try require(steps >= 1, "steps", "must be at least 1, got \(steps)")
    try require(batchSize >= 1 && batchSize <= 1024, "batchSize", "must be in 1...1024, got \(batchSize)")
    try require(lr > 0 && lr < 1, "lr", "must be in (0, 1), got \(lr)")
    try require(timeStd > 0, "timeStd", "must be positive, got \(timeStd)")
    try require(promptDropout >= 0 && promptDropout < 1, "promptDropout", "must be in [0, 1), got \(promptDropout)")
    try require(emaDecay >= 0 && emaDecay < 1, "emaDecay", "must be in [0, 1), got \(emaDecay)")
    try require(model.imageSize % model.patch == 0, "model.imageSize", "must be a multiple of model.patch (\(model.patch))")
    try require(model.width % model.heads == 0, "model.width", "must be divisible by model.heads (\(model.heads))")
  }
}

/// The distribution of flow-matching training times.
public enum TimeSampling: String, Codable, Sendable, Equatable {
  case uniform
  case logitNormal = "logit-normal"

  /// One time in (0, 1) from `rng`.
  func draw(_ rng: inout RNG, mean: Float, std: Float) -> Float {
    switch self {
    case .uniform: return rng.uniform()
    case .logitNormal: return 1 / (1 + Foundation.exp(-(mean + std * rng.normal())))
    }
  }
}

/// What a generator pretraining run reports beside its weights.
public struct GeneratorPretrainReport: Codable, Sendable {
  public var steps: Int
  public var batchSize: Int
  public var seconds: Double
  public var imagesPerSecond: Double
  public var threads: Int
  public var finalLoss: Float
  /// (step, mean loss over the preceding window).
  public var lossCurve: [[Float]]
  public var parameters: Int
}

/// Trains the generator by flow matching: x_t = (1 − t)·x₀ + t·ε, target v = ε − x₀,
/// loss ‖v_θ(x_t, t, prompt) − v‖², t by `timeSampling`, prompts from the world's training split.
/// The next batch renders on the second core while this one trains.
public func pretrainGenerator(_ cfg: GeneratorPretrainConfig, log: (String) -> Void) throws -> GeneratorPretrainReport {
  var modelConfig = cfg.model
  modelConfig.vocabularySize = Tokenizer.vocabulary.count
  modelConfig.promptTokens = Tokenizer.maxTokens
  let store = ParameterStore()
  let generator = Generator(modelConfig, store: store)
  store.allocate(seed: cfg.seed)
  if !cfg.initWeights.isEmpty { try store.load(path: cfg.initWeights) }
  let opt = AdamW(store: store, config: AdamWConfig(lr: cfg.lr, weightDecay: cfg.weightDecay))
  let ema = EMA(store: store, decay: cfg.emaDecay)
  let schedule = WarmupCosine(warmupSteps: cfg.warmupSteps, finalFraction: 0.1)
  log("generator: \(store.count) parameters, \(cfg.steps) steps of \(cfg.batchSize) at \(modelConfig.imageSize) px")

  let B = cfg.batchSize, S = modelConfig.imageSize, L = modelConfig.promptTokens
  let dataRNG = RNG(seed: cfg.seed).stream(1)
  let sampler = PromptSampler(seed: cfg.seed, distribution: cfg.prompts)
  let batches = BatchPrefetcher { step in FlowBatch.make(step: step, size: B, imageSize: S, sampler: sampler, rng: dataRNG,
                                                       times: cfg.timeDraw, promptDropout: cfg.promptDropout) }

  let g = Graph()
  var progress = ProgressLine(label: "pretrain generator", total: cfg.steps)
  var curve = LossCurve(steps: cfg.steps, points: cfg.curvePoints)
  var lastLoss: Float = 0
  for step in 0..<cfg.steps {
    let batch = batches.take(step, prefetchNext: step + 1 < cfg.steps)
    opt.config.lr = schedule.rate(step: step, total: cfg.steps, lr: cfg.lr)
    g.reset()
    store.zeroGrads()
    let x = g.constant(batch.noisy, Shape(B, 3, S, S))
    let t = g.constant(batch.times, Shape(B))
    let v = generator.velocity(g, x: x, t: t, tokens: g.constant(batch.tokens, Shape(B, L)), mask: g.constant(batch.mask, Shape(B, L)))
    let loss = g.mse(v, g.constant(batch.target, Shape(B, 3, S, S)))
    g.backward(from: loss)
    store.clipGradNorm(cfg.gradClip)
    opt.update()
    if cfg.emaWarmup { ema.decay = EMA.warmupDecay(step: step, target: cfg.emaDecay) }
    ema.update()
    lastLoss = loss[0]
    curve.add(lastLoss, step: step)
    progress.update(step + 1, items: (step + 1) * B, fields: [("loss", String(format: "%.4f", curve.last(or: lastLoss)))])
  }
  let seconds = progress.elapsed
  ema.swap()  // save the averaged weights
  let report = GeneratorPretrainReport(
    steps: cfg.steps, batchSize: B, seconds: seconds, imagesPerSecond: Double(cfg.steps * B) / seconds,
    threads: BLAS.threads, finalLoss: curve.last(or: lastLoss), lossCurve: curve.points, parameters: store.count)
  try saveWeights(store, model: "generator", config: modelConfig, to: "\(cfg.output)/generator.safetensors")
  try AtomicFile.writeJSON(report, to: "\(cfg.output)/report.json")
  log("generator: weights and report in \(cfg.output)")
  return report
}

/// Writes a store as F16 safetensors with the model's name and config in the metadata.
public func saveWeights<C: Encodable>(_ store: ParameterStore, model: String, config: C, to path: String) throws {
  // Sorted keys: the same config and seed then give the same file byte for byte.
  let encoder = JSONEncoder()
  encoder.outputFormatting = .sortedKeys
  let configJSON = String(decoding: try encoder.encode(config), as: UTF8.self)
  let file = store.safeTensors(metadata: ["model": model, "config": configJSON, "format": "grpotop-1"])
  try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
  try file.write(to: path, dtype: .f16)
}

/// One flow-matching batch, as flat arrays ready to become tensors.
struct FlowBatch: Sendable {
  var noisy: [Float]  // (B, 3, S, S) x_t
  var target: [Float]  // (B, 3, S, S) ε − x₀
  var times: [Float]  // (B)
  var tokens: [Float]  // (B, L)
  var mask: [Float]  // (B, L)

  /// Renders batch `step`: its prompts, images, noise and times all come from streams of
  /// `rng` named by the step, so a batch is the same whatever thread makes it.
  static func make(step: Int, size B: Int, imageSize S: Int, sampler: PromptSampler, rng: RNG,
                   times drawTime: @Sendable (inout RNG) -> Float = { $0.uniform() }, promptDropout: Float = 0) -> FlowBatch {
    var r = rng.stream(UInt64(step))
    var stepSampler = sampler
    stepSampler = PromptSampler(seed: r.nextBlock().hashSeed, distribution: sampler.distribution)
    let prompts = stepSampler.training(count: B)
    let D = 3 * S * S, L = Tokenizer.maxTokens
    var batch = FlowBatch(
      noisy: .init(repeating: 0, count: B * D), target: .init(repeating: 0, count: B * D),
      times: .init(repeating: 0, count: B), tokens: .init(repeating: 0, count: B * L), mask: .init(repeating: 0, count: B * L))
    for b in 0..<B {
      let scene = Renderer.render(prompts[b], size: S, seed: r.nextBlock().hashSeed)
      let x0 = scene.image.planarSigned()
      let t = drawTime(&r)
      batch.times[b] = t
      for i in 0..<D {
        let eps = r.normal()
        batch.noisy[b * D + i] = (1 - t) * x0[i] + t * eps
        batch.target[b * D + i] = eps - x0[i]
      }
      // A dropped prompt keeps its zero tokens and mask: the null prompt. No draw without
      // dropout, so configs without it keep their exact batches.
      if promptDropout > 0 && r.uniform() < promptDropout { continue }
      let input = Tokenizer.modelInputs(prompts[b])
      batch.tokens.replaceSubrange((b * L)..<((b + 1) * L), with: input.ids)
      batch.mask.replaceSubrange((b * L)..<((b + 1) * L), with: input.mask)
    }
    return batch
  }
}

extension SIMD4 where Scalar == UInt32 {
  /// Two lanes as one 64-bit seed.
  var hashSeed: UInt64 { (UInt64(self[0]) << 32) | UInt64(self[1]) }
}
