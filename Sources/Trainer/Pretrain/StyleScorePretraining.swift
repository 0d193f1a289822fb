import Engine
import Foundation
import Models
import World

/// `grpotop pretrain stylescore`: the Bradley–Terry style/content reward on frozen features.
public struct StyleScorePretrainConfig: ValidatedConfig, Equatable {
  public var seed: UInt64 = 1
  /// Backbone weights to read features from; "" means the shipped backbone.
  public var backbone = ""
  /// Quality regressor for the baseline judge; "" means the shipped one, "none" skips it.
  public var quality = ""
  /// Training pairs (features are extracted once; the head then trains for `steps`).
  /// 9000 overfit (98 % train, 83.0 % held out); 18000 with weight decay 0.2 and a
  /// 128-wide hidden layer: 92 % train, 84.5 % held out.
  public var trainPairs = 18000
  /// Held-out pairs (held-out prompts and content seeds) for the reported accuracies.
  public var testPairs = 1500
  public var steps = 3000
  /// Pairs per step.
  public var batchSize = 128
  public var lr: Float = 1e-3
  public var warmupSteps = 100
  public var weightDecay: Float = 0.2
  /// Pairs rendered and encoded per chunk (a multiple of 30 keeps kinds × styles balanced).
  public var chunk = 150
  public var curvePoints = 100
  public var head = StyleScoreConfig(hidden: 128)
  /// Content prompts: no styles (the instruction brings it), no patterned grounds.
  public var prompts = PromptDistribution(secondObject: 0.3, position: 0.5, size: 0.5, background: 0.33, pattern: 0, style: 0)
  /// Directory for weights and report.
  public var output = "runs/pretrain/stylescore"

  public init() {}
  public static var defaults: StyleScorePretrainConfig { StyleScorePretrainConfig() }

  public func validate() throws {
    try require(trainPairs >= 1 && testPairs >= 1, "trainPairs", "pair counts must be at least 1")
    try require(steps >= 1, "steps", "must be at least 1, got \(steps)")
    try require(batchSize >= 1 && batchSize <= 4096, "batchSize", "must be in 1...4096, got \(batchSize)")
    try require(lr > 0 && lr < 1, "lr", "must be in (0, 1), got \(lr)")
    try require(chunk >= 1, "chunk", "must be at least 1, got \(chunk)")
    try require(head.hidden >= 1 && head.embedDim >= 1, "head", "sizes must be positive")
    try require(head.grid >= 0 && (head.grid == 0 || head.cellDim >= 1), "head.grid", "must be ≥ 0, with cell_dim ≥ 1 when > 0")
  }
}

/// Held-out accuracy of StyleScore and the two baseline judges on one negative kind.
public struct StyleScoreKindRow: Codable, Sendable {
  public var kind: String
  public var pairs: Int
  public var styleScore: Float
  /// Backbone cosine of the output to the asked style's exemplar (mean training feature).
  public var exemplarCosine: Float
  /// The quality regressor's 1 − mean severity of the output.
  public var quality: Float
}

/// What a StyleScore pretraining run reports beside its weights.
public struct StyleScorePretrainReport: Codable, Sendable {
  public var steps: Int
  public var batchSize: Int
  public var trainPairs: Int
  public var testPairs: Int
  public var featureSeconds: Double
  public var trainSeconds: Double
  public var seconds: Double
  public var finalLoss: Float
  /// (step, mean Bradley–Terry loss over the preceding window).
  public var lossCurve: [[Float]]
  public var trainAccuracy: Float
  /// Held-out accuracy, r(winner) > r(loser), of StyleScore and of the baselines.
  public var heldOutAccuracy: Float
  public var exemplarCosineAccuracy: Float
  public var qualityAccuracy: Float
  public var perKind: [StyleScoreKindRow]
  public var backbone: String

  /// The table printed after pretraining.
  public func table() -> String {
    var lines = ["stylescore: held-out preference accuracy, \(testPairs) pairs of held-out prompts and content seeds",
                 "kind          pairs  StyleScore  exemplar cosine  quality"]
    func row(_ name: String, _ n: Int, _ a: Float, _ b: Float, _ c: Float) -> String {
      name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %6d  %9.1f%%  %14.1f%%  %6.1f%%", n, 100 * a, 100 * b, 100 * c)
    }
    for r in perKind { lines.append(row(r.kind, r.pairs, r.styleScore, r.exemplarCosine, r.quality)) }
    lines.append(row("overall", testPairs, heldOutAccuracy, exemplarCosineAccuracy, qualityAccuracy) + String(format: "   (train %.1f%%)", 100 * trainAccuracy))
    return lines.joined(separator: "\n")
  }
}

/// Encoded pairs: features of content, winner and loser, the style id and the kind; with
/// `withQuality`, the quality regressor's score of winner and loser.
struct EncodedStylePairs {
  var content: [Float] = []  // (N, F)
  var winner: [Float] = []  // (N, F)
  var loser: [Float] = []  // (N, F)
  var styles: [Int] = []
  var kinds: [StyleNegativeKind] = []
  var winnerQuality: [Float] = []
  var loserQuality: [Float] = []
  var count: Int { kinds.count }

  /// Renders `total` pairs chunk by chunk (the next chunk on the second core) and keeps only
  /// their features.
  static func make(total: Int, heldOut: Bool, backbone: ViT, quality: QualityRegressor?, cfg: StyleScorePretrainConfig) -> EncodedStylePairs {
    let S = backbone.config.imageSize
    let chunks = (total + cfg.chunk - 1) / cfg.chunk
    let root = RNG(seed: cfg.seed).stream(heldOut ? 81 : 80)
    let dist = cfg.prompts, size = cfg.chunk
    let prefetch = BatchPrefetcher { c in
      let r = root.stream(UInt64(c))
      return StylePairs.build(count: min(size, total - c * size), size: S, heldOut: heldOut,
                              sampler: PromptSampler(seed: r.key, distribution: dist), seed: r.stream(1).key)
    }
    var out = EncodedStylePairs()
    let g = Graph()
    g.recording = false
    var progress = ProgressLine(label: heldOut ? "encode held-out pairs" : "encode training pairs", total: chunks, unit: "pair")
    for c in 0..<chunks {
      let pairs = prefetch.take(c, prefetchNext: c + 1 < chunks)
      defer { progress.update(c + 1, items: out.count, fields: []) }
      let n = pairs.count
      var images = [Float]()
      images.reserveCapacity(3 * n * 3 * S * S)
      for p in pairs { images += p.content.planarSigned() }
      for p in pairs { images += p.winner.planarSigned() }
      for p in pairs { images += p.loser.planarSigned() }
      g.reset()
      let f = StyleScore.features(g, backbone: backbone, images: g.constant(images, Shape(3 * n, 3, S, S)), grid: cfg.head.grid)
      let F = f.count / (3 * n)
      out.content += f[0..<(n * F)]
      out.winner += f[(n * F)..<(2 * n * F)]
      out.loser += f[(2 * n * F)...]
      if let quality {
        let q = quality.quality(images: Array(images[(n * 3 * S * S)...]))
        out.winnerQuality += q[0..<n]
        out.loserQuality += q[n...]
      }
      for p in pairs {
        out.styles.append(Style.allCases.firstIndex(of: p.style) ?? 0)
        out.kinds.append(p.kind)
      }
    }
    return out
  }
}

/// Trains StyleScore on pairs encoded by `backbone` (frozen) and reports held-out accuracy
/// next to the exemplar-cosine and quality baselines; weights are not written here.
public func trainStyleScore(_ cfg: StyleScorePretrainConfig, backbone: ViT, quality: QualityRegressor?, backboneName: String,
                            log: (String) -> Void) -> (StyleScore, StyleScorePretrainReport) {
  let start = Date()
  var headConfig = cfg.head
  headConfig.featureDim = backbone.config.width
  headConfig.styles = Style.allCases.count
  log("stylescore: encoding \(cfg.trainPairs) training and \(cfg.testPairs) held-out pairs with the frozen backbone")
  let train = EncodedStylePairs.make(total: cfg.trainPairs, heldOut: false, backbone: backbone, quality: nil, cfg: cfg)
  let test = EncodedStylePairs.make(total: cfg.testPairs, heldOut: true, backbone: backbone, quality: quality, cfg: cfg)
  let featureSeconds = Date().timeIntervalSince(start)

  let store = ParameterStore()
  let model = StyleScore(headConfig, store: store)
  store.allocate(seed: cfg.seed)
  model.standardise(from: train.content + train.winner + train.loser, count: 3 * train.count)
  let opt = AdamW(store: store, config: AdamWConfig(lr: cfg.lr, weightDecay: cfg.weightDecay))
  let schedule = WarmupCosine(warmupSteps: cfg.warmupSteps, finalFraction: 0.05)
  let F = headConfig.imageFeatureWidth, B = min(cfg.batchSize, train.count)
  var rng = RNG(seed: cfg.seed).stream(90)
  let g = Graph()
  var progress = ProgressLine(label: "pretrain stylescore", total: cfg.steps, unit: "pair")
  var curve = LossCurve(steps: cfg.steps, points: cfg.curvePoints)
  let trainStart = Date()
  var content = [Float](repeating: 0, count: B * F), winner = content, loser = content, styles = [Float](repeating: 0, count: B)
  for step in 0..<cfg.steps {
    for i in 0..<B {
      let j = rng.int(train.count)
      for c in 0..<F {
        content[i * F + c] = train.content[j * F + c]
        winner[i * F + c] = train.winner[j * F + c]
        loser[i * F + c] = train.loser[j * F + c]
      }
      styles[i] = Float(train.styles[j])
    }
    g.reset()
    store.zeroGrads()
    opt.config.lr = schedule.rate(step: step, total: cfg.steps, lr: cfg.lr)
    let loss = model.bradleyTerryLoss(g, content: g.constant(content, Shape(B, F)), winner: g.constant(winner, Shape(B, F)),
                                      loser: g.constant(loser, Shape(B, F)), styles: g.constant(styles, Shape(B)))
    g.backward(from: loss)
    opt.update()
    curve.add(loss[0], step: step)
    progress.update(step + 1, items: (step + 1) * B, fields: [("loss", String(format: "%.4f", curve.last(or: loss[0])))])
  }
  let trainSeconds = Date().timeIntervalSince(trainStart)

  let trainCorrect = correct(model, train)
  let testCorrect = correct(model, test)
  // Baseline 1: cosine of the output's CLS to the asked style's exemplar, the mean CLS of the
  // training winners of that style (the tokens are L2-normalised, so the CLS is a unit vector).
  let C = headConfig.featureDim
  var exemplars = [[Float]](repeating: [Float](repeating: 0, count: C), count: headConfig.styles)
  for j in 0..<train.count {
    for k in 0..<C { exemplars[train.styles[j]][k] += train.winner[j * F + k] }
  }
  func cosine(_ f: [Float], _ row: Int, _ e: [Float]) -> Float {
    var dot: Float = 0, ee: Float = 0
    for k in 0..<C {
      dot += f[row * F + k] * e[k]
      ee += e[k] * e[k]
    }
    return dot / max(ee.squareRoot(), 1e-12)
  }
  let exemplarCorrect = (0..<test.count).map { j in
    cosine(test.winner, j, exemplars[test.styles[j]]) > cosine(test.loser, j, exemplars[test.styles[j]])
  }
  // Baseline 2: the quality regressor (a general-purpose "aesthetic" judge) prefers the less
  // degraded-looking output; without it, it counts as a coin that never lands right.
  let qualityCorrect = (0..<test.count).map { j in
    j < test.winnerQuality.count && test.winnerQuality[j] > test.loserQuality[j]
  }
  func rate(_ hits: [Bool], _ idx: [Int]) -> Float { Float(idx.filter { hits[$0] }.count) / Float(max(idx.count, 1)) }
  let all = Array(0..<test.count)
  let perKind = StyleNegativeKind.allCases.map { kind -> StyleScoreKindRow in
    let idx = all.filter { test.kinds[$0] == kind }
    return StyleScoreKindRow(kind: kind.rawValue, pairs: idx.count, styleScore: rate(testCorrect, idx),
                             exemplarCosine: rate(exemplarCorrect, idx), quality: rate(qualityCorrect, idx))
  }
  let report = StyleScorePretrainReport(
    steps: cfg.steps, batchSize: B, trainPairs: train.count, testPairs: test.count, featureSeconds: featureSeconds,
    trainSeconds: trainSeconds, seconds: Date().timeIntervalSince(start), finalLoss: curve.last(or: 0), lossCurve: curve.points,
    trainAccuracy: rate(trainCorrect, Array(0..<train.count)), heldOutAccuracy: rate(testCorrect, all),
    exemplarCosineAccuracy: rate(exemplarCorrect, all), qualityAccuracy: rate(qualityCorrect, all), perKind: perKind,
    backbone: backboneName)
  return (model, report)
}

/// Whether StyleScore ranks each pair's winner above its loser (forward only).
func correct(_ model: StyleScore, _ pairs: EncodedStylePairs) -> [Bool] {
  let w = model.scores(content: pairs.content, output: pairs.winner, styles: pairs.styles)
  let l = model.scores(content: pairs.content, output: pairs.loser, styles: pairs.styles)
  return zip(w, l).map { $0 > $1 }
}

/// Loads the backbone and the quality regressor, trains StyleScore and saves its tensors
/// (`instruction_embed` and `head.*`) as stylescore.safetensors with a JSON report.
public func pretrainStyleScore(_ cfg: StyleScorePretrainConfig, log: (String) -> Void) throws -> StyleScorePretrainReport {
  let path = try ModelLoader.resolve("backbone", path: cfg.backbone.isEmpty ? nil : cfg.backbone)
  let backbone = try ModelLoader.backbone(path: path)
  let quality = cfg.quality == "none" ? nil : try ModelLoader.quality(path: cfg.quality.isEmpty ? nil : cfg.quality)
  log("stylescore: backbone \(path)")
  if let quality, quality.config.trunk.imageSize != backbone.config.imageSize {
    throw ConfigError("quality: its images are \(quality.config.trunk.imageSize) px, the backbone's \(backbone.config.imageSize) px (\"none\" skips that baseline)")
  }
  let (model, report) = trainStyleScore(cfg, backbone: backbone, quality: quality, backboneName: path, log: log)
  try saveWeights(model.store, model: "stylescore", config: model.config, to: "\(cfg.output)/stylescore.safetensors")
  try AtomicFile.writeJSON(report, to: "\(cfg.output)/report.json")
  log("stylescore: weights and report in \(cfg.output)")
  return report
}
