import Engine
import Foundation
import Imaging
import Models
import World

/// `grpotop pretrain quality`: regresses the severity of each synthetic degradation.
///
/// Training images are world renders (some styled, since a style is not damage and Style-GRPO
/// scores styled outputs) with a random mix of degradations applied after the style; a share
/// stays clean so "no damage" is learnt as well as "some".
public struct QualityPretrainConfig: ValidatedConfig, Equatable {
  /// Initialisation seed.
  public var seed: UInt64 = 21
  /// Seed of the training data (prompts, renders, degradation mixes).
  public var dataSeed: UInt64 = 2021
  public var steps = 3000
  public var batchSize = 32
  public var lr: Float = 1e-3
  public var warmupSteps = 100
  public var weightDecay: Float = 0.05
  public var gradClip: Float = 1.0
  /// Loss points kept for the report's curve.
  public var curvePoints = 50
  /// The trunk; the outputs are World's degradations. channels 6 = RGB plus ImageFeatures'
  /// edges and mask, 3 = raw RGB.
  public var model: ViTConfig = {
    var m = ViTConfig(imageSize: 32, patch: 4, width: 64, depth: 3, heads: 4, mlpRatio: 4)
    m.channels = ImageFeatures.channels
    return m
  }()
  /// Training prompts (styles included, as content).
  public var prompts = PromptDistribution(
    secondObject: 0.3, position: 0.5, size: 0.5, background: 0.5, pattern: 0.4, style: 0.3, countWeights: [0.6, 0.25, 0.15])
  /// Fraction of training images left clean.
  public var cleanFraction: Float = 0.2
  /// For the rest, the probability that each degradation is present (severity U(0.1, 1)).
  public var presence: Float = 0.5
  /// Held-out images (held-out prompts, fresh degradation mixes) and their seed.
  public var evalCount = 1000
  public var evalSeed: UInt64 = 9
  /// Directory for weights and report.
  public var output = "runs/pretrain/quality"

  public init() {}
  public static var defaults: QualityPretrainConfig { QualityPretrainConfig() }

  public func validate() throws {
    try require(steps >= 1, "steps", "must be at least 1, got \(steps)")
    try require(batchSize >= 1 && batchSize <= 1024, "batchSize", "must be in 1...1024, got \(batchSize)")
    try require(lr > 0 && lr < 1, "lr", "must be in (0, 1), got \(lr)")
    try require(cleanFraction >= 0 && cleanFraction <= 1, "cleanFraction", "must be a probability, got \(cleanFraction)")
    try require(presence > 0 && presence <= 1, "presence", "must be in (0, 1], got \(presence)")
    try require(evalCount >= 2, "evalCount", "must be at least 2, got \(evalCount)")
    try require(model.imageSize % model.patch == 0, "model.imageSize", "must be a multiple of model.patch (\(model.patch))")
    try require(model.width % model.heads == 0, "model.width", "must be divisible by model.heads (\(model.heads))")
    try require([3, ImageFeatures.channels].contains(model.channels), "model.channels", "must be 3 (RGB) or \(ImageFeatures.channels) (RGB, edges, mask), got \(model.channels)")
  }
}

/// Held-out figures of the quality regressor.
public struct QualityEvaluation: Codable, Sendable, Equatable {
  /// Mean absolute error of the predicted severity, per degradation.
  public var meanAbsoluteError: [String: Double]
  /// Spearman and Pearson correlation of predicted quality with true quality (1 − mean severity).
  public var spearman: Double
  public var pearson: Double
  /// Mean predicted quality of clean images and of damaged ones.
  public var cleanQuality: Double
  public var damagedQuality: Double
  public var images: Int

  /// The printed table.
  public func table() -> String {
    var lines = ["quality: held-out on \(images) renders (held-out prompts, random degradations)", "degradation      MAE"]
    for name in Degradation.allCases.map(\.rawValue) {
      lines.append(name.padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: "  %.3f", meanAbsoluteError[name] ?? .nan))
    }
    lines.append(String(format: "quality vs truth: Spearman %.3f, Pearson %.3f", spearman, pearson))
    lines.append(String(format: "mean quality: clean %.3f, damaged %.3f", cleanQuality, damagedQuality))
    return lines.joined(separator: "\n")
  }
}

/// What a quality pretraining run reports beside its weights.
public struct QualityPretrainReport: Codable, Sendable {
  public var steps: Int
  public var batchSize: Int
  public var seconds: Double
  public var imagesPerSecond: Double
  public var threads: Int
  public var parameters: Int
  public var finalLoss: Float
  /// (step, mean BCE over the preceding window).
  public var lossCurve: [[Float]]
  public var heldOut: QualityEvaluation
}

/// Trains, evaluates and writes `<output>/quality.safetensors` and `<output>/report.json`.
public func pretrainQuality(_ cfg: QualityPretrainConfig, log: (String) -> Void) throws -> QualityPretrainReport {
  let store = ParameterStore()
  let model = QualityRegressor(QualityRegressorConfig(trunk: cfg.model, outputs: Degradation.allCases.count,
                                                      names: Degradation.allCases.map(\.rawValue)), store: store)
  store.allocate(seed: cfg.seed)
  model.initialisePositions()
  let opt = AdamW(store: store, config: AdamWConfig(lr: cfg.lr, weightDecay: cfg.weightDecay))
  let schedule = WarmupCosine(warmupSteps: cfg.warmupSteps, finalFraction: 0.05)
  log("quality: \(store.count) parameters, \(cfg.steps) steps of \(cfg.batchSize) at \(cfg.model.imageSize) px")

  let B = cfg.batchSize, S = cfg.model.imageSize, K = Degradation.allCases.count
  let dataRNG = RNG(seed: cfg.dataSeed).stream(1)
  let batches = BatchPrefetcher { step in
    QualityBatch.make(prompts: PromptSampler(seed: dataRNG.stream(UInt64(step)).key, distribution: cfg.prompts).training(count: B),
                      imageSize: S, cfg: cfg, rng: dataRNG.stream(UInt64(step)).stream(1))
  }
  let g = Graph()
  var progress = ProgressLine(label: "pretrain quality", total: cfg.steps)
  var curve = LossCurve(steps: cfg.steps, points: cfg.curvePoints)
  for step in 0..<cfg.steps {
    let batch = batches.take(step, prefetchNext: step + 1 < cfg.steps)
    opt.config.lr = schedule.rate(step: step, total: cfg.steps, lr: cfg.lr)
    g.reset()
    store.zeroGrads()
    let logits = model.logits(g, images: g.constant(batch.images, Shape(B, 3, S, S)))  // (B, K)
    let loss = model.loss(g, logits: logits, severities: batch.severities)
    g.backward(from: loss)
    store.clipGradNorm(cfg.gradClip)
    opt.update()
    curve.add(loss[0], step: step)
    progress.update(step + 1, items: (step + 1) * B, fields: [("bce", String(format: "%.4f", curve.last(or: loss[0])))])
  }
  let seconds = progress.elapsed
  precondition(K == model.config.outputs, "quality: \(K) degradations for \(model.config.outputs) outputs")
  let evaluation = evaluateQuality(model, cfg: cfg)
  let report = QualityPretrainReport(
    steps: cfg.steps, batchSize: B, seconds: seconds, imagesPerSecond: Double(cfg.steps * B) / max(seconds, 1e-9),
    threads: BLAS.threads, parameters: store.count, finalLoss: curve.last(or: 0), lossCurve: curve.points, heldOut: evaluation)
  try saveWeights(store, model: "quality", config: model.config, to: "\(cfg.output)/quality.safetensors")
  try AtomicFile.writeJSON(report, to: "\(cfg.output)/report.json")
  log("quality: weights and report in \(cfg.output)")
  return report
}

/// Held-out MAE per degradation and the correlation of predicted with true quality.
public func evaluateQuality(_ model: QualityRegressor, cfg: QualityPretrainConfig) -> QualityEvaluation {
  let prompts = PromptSampler(seed: cfg.evalSeed, distribution: cfg.prompts).heldOut(count: cfg.evalCount)
  let batch = QualityBatch.make(prompts: prompts, imageSize: cfg.model.imageSize, cfg: cfg, rng: RNG(seed: cfg.evalSeed).stream(99))
  let predicted = model.severities(images: batch.images, batchSize: 100)
  let K = model.config.outputs
  var mae: [String: Double] = [:]
  for (k, name) in Degradation.allCases.map(\.rawValue).enumerated() {
    let err = predicted.indices.reduce(0.0) { $0 + Double(abs(predicted[$1][k] - batch.severities[$1 * K + k])) }
    mae[name] = err / Double(predicted.count)
  }
  let truth = predicted.indices.map { Double(QualityRegressor.quality(severities: Array(batch.severities[($0 * K)..<(($0 + 1) * K)]))) }
  let guess = predicted.map { Double(QualityRegressor.quality(severities: $0)) }
  let cleanIdx = truth.indices.filter { truth[$0] == 1 }, damagedIdx = truth.indices.filter { truth[$0] < 1 }
  func mean(_ idx: [Int]) -> Double { idx.isEmpty ? .nan : idx.reduce(0.0) { $0 + guess[$1] } / Double(idx.count) }
  return QualityEvaluation(
    meanAbsoluteError: mae, spearman: Correlation.spearman(guess, truth), pearson: Correlation.pearson(guess, truth),
    cleanQuality: mean(cleanIdx), damagedQuality: mean(damagedIdx), images: predicted.count)
}

/// One quality batch: images and their true severities.
struct QualityBatch: Sendable {
  var images: [Float]  // (B, 3, S, S) in [−1, 1]
  var severities: [Float]  // (B, K) in Degradation.allCases order

  /// Renders `prompts` and damages each by a random mix (or leaves it clean), every draw from
  /// `rng`, so the batch is the same on any thread.
  static func make(prompts: [Prompt], imageSize S: Int, cfg: QualityPretrainConfig, rng: RNG) -> QualityBatch {
    var r = rng
    var batch = QualityBatch(images: [], severities: [])
    batch.images.reserveCapacity(prompts.count * 3 * S * S)
    for prompt in prompts {
      let scene = Renderer.render(prompt, size: S, seed: r.nextBlock().hashSeed, styleStrength: r.uniform(0.5, 1))
      let mixSeed = r.nextBlock().hashSeed, damageSeed = r.nextBlock().hashSeed
      let mix = r.uniform() < cfg.cleanFraction ? DegradationMix.clean : DegradationMix.random(seed: mixSeed, probability: cfg.presence)
      batch.images += mix.apply(to: scene.image, seed: damageSeed).planarSigned()
      batch.severities += QualityTargets.severities(mix)
    }
    return batch
  }
}

/// The regressor's targets for a degradation mix.
public enum QualityTargets {
  /// One severity per degradation, in `Degradation.allCases` order (the output order).
  public static func severities(_ mix: DegradationMix) -> [Float] { Degradation.allCases.map { mix[$0] } }

  /// The quality a mix should score: 1 − mean severity.
  public static func quality(_ mix: DegradationMix) -> Float { QualityRegressor.quality(severities: severities(mix)) }
}

/// Correlation coefficients for the evaluation reports.
public enum Correlation {
  /// Pearson's r (0 when either side is constant).
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
    let n = Double(min(x.count, y.count))
    guard n > 1 else { return 0 }
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (a, b) in zip(x, y) {
      sxy += (a - mx) * (b - my)
      sxx += (a - mx) * (a - mx)
      syy += (b - my) * (b - my)
    }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
  }

  /// Spearman's ρ: Pearson's r of the ranks, ties sharing their mean rank.
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double { pearson(ranks(x), ranks(y)) }

  /// 1-based ranks with ties averaged.
  public static func ranks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] < v[$1] }
    var out = [Double](repeating: 0, count: v.count)
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
      for k in i...j { out[order[k]] = Double(i + j) / 2 + 1 }
      i = j + 1
    }
    return out
  }
}
