import Engine
import Foundation
import Models
import World

/// `grpotop pretrain preference`: the pairwise head on frozen backbone features.
public struct PreferencePretrainConfig: ValidatedConfig, Equatable {
  public var seed: UInt64 = 1
  /// Backbone weights to read features from; "" means the shipped backbone.
  public var backbone = ""
  /// Training pairs (features are extracted once; the head then trains for `steps`).
  /// 7200 let the head memorise its pairs (99 % train accuracy); each doubling since gained
  /// held-out accuracy (on the contrastive backbone 14,400 → 87.9 %, 28,800 → 89.3 %,
  /// 57,600 → 90.6 %), for a few more minutes of feature extraction.
  public var trainPairs = 57600
  /// Held-out pairs (held-out prompts) for the reported accuracy.
  public var testPairs = 1200
  public var steps = 3000
  /// Pairs per step; each is used in both orders, so a step sees 2·batchSize rows.
  public var batchSize = 128
  public var lr: Float = 1e-3
  public var warmupSteps = 100
  public var weightDecay: Float = 0.05
  /// Fraction of attribute negatives rendered with the winner's seed (only the attribute moves).
  public var sameSeed: Float = 0.5
  /// Severity range [lo, hi] of degraded negatives.
  public var severity: [Float] = [0.4, 1.0]
  /// Pairs rendered and encoded per chunk (a multiple of 6 keeps the kinds balanced).
  public var chunk = 120
  public var curvePoints = 100
  public var head = PreferenceHeadConfig()
  /// Prompts of the pairs (Pref-GRPO's prompts: no styles by default).
  public var prompts = PromptDistribution(secondObject: 0.3, position: 0.5, size: 0.5, background: 0.33, pattern: 0.3, style: 0)
  /// Directory for weights and report.
  public var output = "runs/pretrain/preference"

  public init() {}
  public static var defaults: PreferencePretrainConfig { PreferencePretrainConfig() }

  public func validate() throws {
    try require(trainPairs >= 1 && testPairs >= 1, "trainPairs", "pair counts must be at least 1")
    try require(steps >= 1, "steps", "must be at least 1, got \(steps)")
    try require(batchSize >= 1 && batchSize <= 4096, "batchSize", "must be in 1...4096, got \(batchSize)")
    try require(lr > 0 && lr < 1, "lr", "must be in (0, 1), got \(lr)")
    try require(sameSeed >= 0 && sameSeed <= 1, "sameSeed", "must be in [0, 1], got \(sameSeed)")
    try require(severity.count == 2 && severity[0] >= 0 && severity[0] <= severity[1] && severity[1] <= 1,
                "severity", "must be [lo, hi] with 0 ≤ lo ≤ hi ≤ 1, got \(severity)")
    try require(chunk >= 1, "chunk", "must be at least 1, got \(chunk)")
    try require(head.hidden >= 1 && head.embedDim >= 1, "head", "sizes must be positive")
    try require(head.grid >= 0 && (head.grid == 0 || head.cellDim >= 1), "head.grid", "must be ≥ 0, with cell_dim ≥ 1 when > 0")
  }
}

/// Held-out accuracy of one negative kind.
public struct PreferenceKindRow: Codable, Sendable {
  public var kind: String
  public var pairs: Int
  public var accuracy: Float
}

/// What a preference pretraining run reports beside its weights.
public struct PreferencePretrainReport: Codable, Sendable {
  public var steps: Int
  public var batchSize: Int
  public var trainPairs: Int
  public var testPairs: Int
  /// Seconds spent rendering pairs and extracting backbone features.
  public var featureSeconds: Double
  /// Seconds spent training the head.
  public var trainSeconds: Double
  public var seconds: Double
  public var finalLoss: Float
  /// (step, mean binary cross-entropy over the preceding window).
  public var lossCurve: [[Float]]
  /// Order-averaged accuracy: ½(σ(ℓ(w, l)) + 1 − σ(ℓ(l, w))) > ½.
  public var trainAccuracy: Float
  public var heldOutAccuracy: Float
  /// Single-order held-out accuracies: winner shown first, winner shown second (position bias check).
  public var winnerFirstAccuracy: Float
  public var winnerSecondAccuracy: Float
  public var perKind: [PreferenceKindRow]
  public var backbone: String

  /// The table printed after pretraining.
  public func table() -> String {
    var lines = ["preference: held-out pairwise accuracy (order-averaged), \(testPairs) pairs of held-out prompts",
                 "kind         pairs  accuracy"]
    for r in perKind {
      lines.append(r.kind.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: " %6d  %7.1f%%", r.pairs, 100 * r.accuracy))
    }
    lines.append(String(format: "overall     %6d  %7.1f%%   (train %.1f%%; winner first %.1f%%, second %.1f%%)",
                        testPairs, 100 * heldOutAccuracy, 100 * trainAccuracy, 100 * winnerFirstAccuracy, 100 * winnerSecondAccuracy))
    return lines.joined(separator: "\n")
  }
}

/// Encoded pairs: backbone features of both sides, the prompt's tokens and the kind.
struct EncodedPairs {
  var winner: [Float] = []  // (N, F)
  var loser: [Float] = []  // (N, F)
  var tokens: [Float] = []  // (N, L)
  var mask: [Float] = []  // (N, L)
  var kinds: [NegativeKind] = []
  var count: Int { kinds.count }

  /// Renders `total` pairs chunk by chunk (the next chunk renders on the second core) and
  /// keeps only their features, so memory stays at one chunk of images.
  static func make(total: Int, heldOut: Bool, backbone: ViT, cfg: PreferencePretrainConfig) -> EncodedPairs {
    let S = backbone.config.imageSize, D = 3 * S * S, L = Tokenizer.maxTokens
    let chunks = (total + cfg.chunk - 1) / cfg.chunk
    let root = RNG(seed: cfg.seed).stream(heldOut ? 41 : 40)
    let dist = cfg.prompts, sameSeed = cfg.sameSeed, severity = cfg.severity, size = cfg.chunk
    let prefetch = BatchPrefetcher { c in
      let r = root.stream(UInt64(c))
      let n = min(size, total - c * size)
      return PreferencePairs.build(count: n, size: S, heldOut: heldOut, sampler: PromptSampler(seed: r.key, distribution: dist),
                                   seed: r.stream(1).key, sameSeed: sameSeed, severity: severity)
    }
    var out = EncodedPairs()
    let g = Graph()
    g.recording = false
    var progress = ProgressLine(label: heldOut ? "encode held-out pairs" : "encode training pairs", total: chunks, unit: "pair")
    for c in 0..<chunks {
      let pairs = prefetch.take(c, prefetchNext: c + 1 < chunks)
      defer { progress.update(c + 1, items: out.count, fields: []) }
      let n = pairs.count
      var images = [Float]()
      images.reserveCapacity(2 * n * D)
      for p in pairs { images += p.winner.image.planarSigned() }
      for p in pairs { images += p.loser.image.planarSigned() }
      g.reset()
      let f = PreferenceHead.features(g, backbone: backbone, images: g.constant(images, Shape(2 * n, 3, S, S)), grid: cfg.head.grid).toArray()
      let F = f.count / (2 * n)
      out.winner += f[0..<(n * F)]
      out.loser += f[(n * F)...]
      for p in pairs {
        let input = Tokenizer.modelInputs(p.prompt)
        out.tokens += input.ids
        out.mask += input.mask
        out.kinds.append(p.kind)
      }
      precondition(out.tokens.count == out.count * L, "EncodedPairs: token rows out of step")
    }
    return out
  }
}

/// Trains the preference head on pairs encoded by `backbone` (frozen) and reports held-out
/// accuracy; returns the head and the report (weights are not written here).
public func trainPreference(_ cfg: PreferencePretrainConfig, backbone: ViT, backboneName: String,
                            log: (String) -> Void) -> (PreferenceHead, PreferencePretrainReport) {
  let start = Date()
  var headConfig = cfg.head
  headConfig.featureDim = backbone.config.width
  headConfig.vocabularySize = Tokenizer.vocabularySize
  headConfig.promptTokens = Tokenizer.maxTokens
  log("preference: encoding \(cfg.trainPairs) training and \(cfg.testPairs) held-out pairs with the frozen backbone")
  let train = EncodedPairs.make(total: cfg.trainPairs, heldOut: false, backbone: backbone, cfg: cfg)
  let test = EncodedPairs.make(total: cfg.testPairs, heldOut: true, backbone: backbone, cfg: cfg)
  let featureSeconds = Date().timeIntervalSince(start)

  let store = ParameterStore()
  let head = PreferenceHead(headConfig, store: store)
  store.allocate(seed: cfg.seed)
  head.standardise(from: train.winner + train.loser, count: 2 * train.count)
  let opt = AdamW(store: store, config: AdamWConfig(lr: cfg.lr, weightDecay: cfg.weightDecay))
  let schedule = WarmupCosine(warmupSteps: cfg.warmupSteps, finalFraction: 0.05)
  let F = headConfig.imageFeatureWidth, L = headConfig.promptTokens, B = min(cfg.batchSize, train.count)
  var rng = RNG(seed: cfg.seed).stream(50)
  let g = Graph()
  var progress = ProgressLine(label: "pretrain preference", total: cfg.steps, unit: "pair")
  var curve = LossCurve(steps: cfg.steps, points: cfg.curvePoints)
  let trainStart = Date()
  // Each step: B random pairs, both orders (winner left with target 1, then right with 0).
  var fa = [Float](repeating: 0, count: 2 * B * F), fb = fa
  var tokens = [Float](repeating: 0, count: 2 * B * L), mask = tokens, targets = [Float](repeating: 0, count: 2 * B)
  for step in 0..<cfg.steps {
    for i in 0..<B {
      let j = rng.int(train.count)
      for (row, winnerLeft) in [(i, true), (B + i, false)] {
        let (a, b) = winnerLeft ? (train.winner, train.loser) : (train.loser, train.winner)
        for c in 0..<F {
          fa[row * F + c] = a[j * F + c]
          fb[row * F + c] = b[j * F + c]
        }
        for t in 0..<L {
          tokens[row * L + t] = train.tokens[j * L + t]
          mask[row * L + t] = train.mask[j * L + t]
        }
        targets[row] = winnerLeft ? 1 : 0
      }
    }
    g.reset()
    store.zeroGrads()
    opt.config.lr = schedule.rate(step: step, total: cfg.steps, lr: cfg.lr)
    let logits = head.logits(g, fa: g.constant(fa, Shape(2 * B, F)), fb: g.constant(fb, Shape(2 * B, F)),
                             tokens: g.constant(tokens, Shape(2 * B, L)), mask: g.constant(mask, Shape(2 * B, L)))
    let loss = g.binaryCrossEntropy(logits, targets: g.constant(targets, Shape(2 * B)))
    g.backward(from: loss)
    opt.update()
    curve.add(loss[0], step: step)
    progress.update(step + 1, items: (step + 1) * B, fields: [("loss", String(format: "%.4f", curve.last(or: loss[0])))])
  }
  let trainSeconds = Date().timeIntervalSince(trainStart)
  let trainScore = score(head, train, F: F, L: L)
  let testScore = score(head, test, F: F, L: L)
  let perKind = NegativeKind.allCases.map { kind -> PreferenceKindRow in
    let idx = test.kinds.indices.filter { test.kinds[$0] == kind }
    let hits = idx.filter { testScore.correct[$0] }.count
    return PreferenceKindRow(kind: kind.rawValue, pairs: idx.count, accuracy: Float(hits) / Float(max(idx.count, 1)))
  }
  let report = PreferencePretrainReport(
    steps: cfg.steps, batchSize: B, trainPairs: train.count, testPairs: test.count, featureSeconds: featureSeconds,
    trainSeconds: trainSeconds, seconds: Date().timeIntervalSince(start), finalLoss: curve.last(or: 0), lossCurve: curve.points,
    trainAccuracy: trainScore.accuracy, heldOutAccuracy: testScore.accuracy, winnerFirstAccuracy: testScore.first,
    winnerSecondAccuracy: testScore.second, perKind: perKind, backbone: backboneName)
  return (head, report)
}

/// Order-averaged and single-order accuracies of `head` on encoded pairs (forward only).
func score(_ head: PreferenceHead, _ pairs: EncodedPairs, F: Int, L: Int) -> (correct: [Bool], accuracy: Float, first: Float, second: Float) {
  let N = pairs.count
  guard N > 0 else { return ([], 0, 0, 0) }
  let g = Graph()
  g.recording = false
  let w = g.constant(pairs.winner, Shape(N, F)), l = g.constant(pairs.loser, Shape(N, F))
  let t = g.constant(pairs.tokens, Shape(N, L)), m = g.constant(pairs.mask, Shape(N, L))
  let p = head.probability(g, fa: w, fb: l, tokens: t, mask: m)
  let first = head.logits(g, fa: w, fb: l, tokens: t, mask: m), second = head.logits(g, fa: l, fb: w, tokens: t, mask: m)
  let correct = p.map { $0 > 0.5 }
  let hits = correct.filter { $0 }.count
  let firstHits = (0..<N).filter { first[$0] > 0 }.count, secondHits = (0..<N).filter { second[$0] < 0 }.count
  return (correct, Float(hits) / Float(N), Float(firstHits) / Float(N), Float(secondHits) / Float(N))
}

/// Loads the backbone, trains the head (`trainPreference`), and saves the head's tensors
/// (`prompt_embed` and `head.*`) as preference.safetensors with a JSON report.
public func pretrainPreference(_ cfg: PreferencePretrainConfig, log: (String) -> Void) throws -> PreferencePretrainReport {
  let path = try ModelLoader.resolve("backbone", path: cfg.backbone.isEmpty ? nil : cfg.backbone)
  let backbone = try ModelLoader.backbone(path: path)
  log("preference: backbone \(path)")
  let (head, report) = trainPreference(cfg, backbone: backbone, backboneName: path, log: log)
  try saveWeights(head.store, model: "preference", config: head.config, to: "\(cfg.output)/preference.safetensors")
  try AtomicFile.writeJSON(report, to: "\(cfg.output)/report.json")
  log("preference: weights and report in \(cfg.output)")
  return report
}
