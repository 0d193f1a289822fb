import Engine
import Foundation
import Models
import World

// Linear probes: how much of an attribute a frozen backbone's features expose to a linear
// classifier. Multinomial logistic regression (one Linear layer, softmax cross-entropy, AdamW,
// full batch) on standardised features of labelled world renders, trained on one set and
// scored on renders of held-out prompts. The same probe on the same architecture at random
// initialisation is the baseline: self-supervised pretraining should beat it clearly on the
// attributes that need more than average colour (shape, style).

/// Linear-probe settings.
public struct ProbeConfig: Codable, Sendable, Equatable {
  /// Renders the probe trains on (training prompts).
  public var trainImages = 3000
  /// Renders it is scored on (held-out prompts).
  public var testImages = 1000
  /// Full-batch optimizer steps of the logistic regression. Enough to converge: at 300 steps
  /// and lr 0.01 the probe underfit (random-init train accuracy on style 88 %, held-out 71 %;
  /// at 1500 and 0.05, 96 % and 82 %), which made the random baseline look weaker than it is.
  public var steps = 1500
  /// AdamW learning rate of the logistic regression.
  public var lr: Float = 0.05
  /// Decoupled weight decay (a mild L2 penalty on the probe's weights).
  public var weightDecay: Float = 0.01
  /// Images per backbone forward pass when extracting features.
  public var batch = 100
  /// Probability of a style in the probe renders (half the renders are plain, so colour and
  /// shape are also probed on clean images).
  public var styleProbability: Float = 0.5
  /// Style strength range [lo, hi] of the styled probe renders (as in pretraining: a weak
  /// style still counts as that style).
  public var styleStrength: [Float] = [0.5, 1.0]

  public init() {}

  /// Throws a ConfigError naming the first bad key under `prefix`.
  func validate(prefix: String) throws {
    try require(trainImages >= 0 && testImages >= 0, "\(prefix).trainImages", "image counts must be ≥ 0")
    try require(steps >= 1, "\(prefix).steps", "must be at least 1, got \(steps)")
    try require(lr > 0 && lr < 10, "\(prefix).lr", "must be in (0, 10), got \(lr)")
    try require(batch >= 1, "\(prefix).batch", "must be at least 1, got \(batch)")
    try require(styleProbability >= 0 && styleProbability <= 1, "\(prefix).styleProbability", "must be in [0, 1]")
    try require(styleStrength.count == 2 && styleStrength[0] > 0 && styleStrength[0] <= styleStrength[1] && styleStrength[1] <= 1,
                "\(prefix).styleStrength", "must be [lo, hi] with 0 < lo ≤ hi ≤ 1, got \(styleStrength)")
  }
}

/// A labelled attribute the probe predicts.
public enum ProbeAttribute: String, CaseIterable, Codable, Sendable {
  case colour, shape, position, style

  /// Number of classes: 10 colours, 6 shapes, 9 regions, 6 styles plus "none".
  public var classes: Int {
    switch self {
    case .colour: return Colour.allCases.count
    case .shape: return ShapeKind.allCases.count
    case .position: return Position.allCases.count
    case .style: return Style.allCases.count + 1
    }
  }

  /// The class of a render: the first object's colour, shape and region; style 0 = none.
  func label(_ labels: SceneLabels) -> Int {
    let first = labels.instances.first
    switch self {
    case .colour: return first.flatMap { Colour.allCases.firstIndex(of: $0.colour) } ?? 0
    case .shape: return first.flatMap { ShapeKind.allCases.firstIndex(of: $0.shape) } ?? 0
    case .position: return first.flatMap { Position.allCases.firstIndex(of: $0.region) } ?? 0
    case .style: return labels.style.flatMap { Style.allCases.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
    }
  }
}

/// One attribute's held-out accuracy for the trained backbone and the random-init baseline.
public struct ProbeRow: Codable, Sendable {
  public var attribute: String
  public var classes: Int
  /// Accuracy of always answering the test set's most frequent class.
  public var majority: Float
  public var randomInit: Float
  public var trained: Float
  /// Accuracies on the probe's own training renders: a probe far below 100 % there is
  /// underfitting, and a test accuracy below `majority` then says little about the features.
  public var randomInitTrain: Float
  public var trainedTrain: Float
}

/// The probe results for two feature sets: CLS alone, and CLS ⊕ mean of the patch tokens.
public struct ProbeReport: Codable, Sendable {
  public var trainImages: Int
  public var testImages: Int
  public var seconds: Double
  /// Features = the final-norm CLS token (B, C): what the discriminator and preference read.
  public var cls: [ProbeRow]
  /// Features = [CLS | mean of patch tokens] (B, 2C).
  public var clsMeanPatch: [ProbeRow]

  /// The table printed after pretraining.
  public func table() -> String {
    var lines = [String(format: "linear probe (%d train / %d held-out renders; accuracy %%)", trainImages, testImages),
                 "attribute   classes  majority | CLS: random trained   gain | CLS+meanpatch: random trained   gain | train fit CLS: random trained"]
    for (a, b) in zip(cls, clsMeanPatch) {
      let name = a.attribute.padding(toLength: 10, withPad: " ", startingAt: 0)
      lines.append(name + String(format: " %8d %9.1f | %11.1f %7.1f %+6.1f | %21.1f %7.1f %+6.1f | %21.1f %7.1f", a.classes, 100 * a.majority, 100 * a.randomInit, 100 * a.trained,
                          100 * (a.trained - a.randomInit), 100 * b.randomInit, 100 * b.trained, 100 * (b.trained - b.randomInit),
                          100 * a.randomInitTrain, 100 * a.trainedTrain))
    }
    return lines.joined(separator: "\n")
  }
}

/// Labelled renders for probing: images (N, 3, S, S) and one class per attribute.
struct ProbeSet {
  var images: [Float]
  var labels: [ProbeAttribute: [Int]]
  var count: Int

  /// `count` single-object renders (one instance, so "the first object" is unambiguous) from
  /// the training or the held-out prompt split, styles at a random strength.
  static func make(count: Int, imageSize S: Int, seed: UInt64, heldOut: Bool, config: ProbeConfig) -> ProbeSet {
    let dist = PromptDistribution(secondObject: 0, position: 0, size: 0.5, background: 0.33, pattern: 0.3,
                                  style: config.styleProbability, countWeights: [1, 0, 0])
    let sampler = PromptSampler(seed: seed, distribution: dist)
    let prompts = heldOut ? sampler.heldOut(count: count) : sampler.training(count: count)
    var rng = RNG(seed: seed).stream(heldOut ? 8 : 7)
    var set = ProbeSet(images: [], labels: [:], count: count)
    set.images.reserveCapacity(count * 3 * S * S)
    for prompt in prompts {
      let strength = rng.uniform(config.styleStrength[0], config.styleStrength[1])
      let scene = Renderer.render(prompt, size: S, seed: rng.nextBlock().hashSeed, styleStrength: strength)
      set.images += scene.image.planarSigned()
      for a in ProbeAttribute.allCases { set.labels[a, default: []].append(a.label(scene.labels)) }
    }
    return set
  }
}

/// Frozen-feature extraction and logistic-regression probes.
public enum LinearProbe {
  /// CLS (N, C) and [CLS | mean patch] (N, 2C) features of `images` (N, 3, S, S), no tape.
  static func features(_ backbone: ViT, images: [Float], count N: Int, batch: Int) -> (cls: [Float], clsMean: [Float]) {
    let C = backbone.config.width, S = backbone.config.imageSize, D = 3 * S * S
    var cls = [Float](), both = [Float]()
    cls.reserveCapacity(N * C)
    both.reserveCapacity(N * 2 * C)
    let g = Graph()
    g.recording = false
    for start in stride(from: 0, to: N, by: batch) {
      let n = min(batch, N - start)
      g.reset()
      let x = g.constant(Array(images[(start * D)..<((start + n) * D)]), Shape(n, 3, S, S))
      let t = backbone.tokens(g, images: x)  // (n, 1 + P, C)
      let c = g.sliceTokens(t, start: 0, count: 1).reshaped(n, C)
      let m = g.meanPool(g.sliceTokens(t, start: 1, count: t.shape[1] - 1))  // (n, C)
      cls += c.toArray()
      both += g.concatColumns(c, m, rows: n).toArray()
    }
    return (cls, both)
  }

  /// Trains a multinomial logistic regression on (trainX (N, dim), trainY) and returns its
  /// accuracy on (testX, testY). Features are standardised with the training statistics.
  public static func fit(trainX: [Float], trainY: [Int], testX: [Float], testY: [Int], dim: Int, classes K: Int,
                         config: ProbeConfig, seed: UInt64 = 0) -> (train: Float, test: Float) {
    let N = trainY.count, M = testY.count
    precondition(trainX.count == N * dim && testX.count == M * dim, "LinearProbe.fit: feature counts do not match labels")
    guard N > 0 else { return (0, 0) }
    let statistics = ColumnStatistics(trainX, rows: N, columns: dim, stdFloor: 1e-6)
    let xs = statistics.standardised(trainX), xt = statistics.standardised(testX)
    let store = ParameterStore()
    let layer = LinearLayer(store, "probe", in: dim, out: K)
    store.allocate(seed: seed)
    let opt = AdamW(store: store, config: AdamWConfig(lr: config.lr, weightDecay: config.weightDecay))
    let schedule = WarmupCosine(warmupSteps: 0, finalFraction: 0.1)
    let g = Graph()
    let targets = trainY.map(Float.init)
    for step in 0..<config.steps {
      g.reset()
      store.zeroGrads()
      opt.config.lr = schedule.rate(step: step, total: config.steps, lr: config.lr)
      let logits = layer(g, g.constant(xs, Shape(N, dim)))
      g.backward(from: g.crossEntropy(logits, targets: g.constant(targets, Shape(N))))
      opt.update()
    }
    func accuracy(_ x: [Float], _ y: [Int]) -> Float {
      guard !y.isEmpty else { return 0 }
      g.reset()
      g.recording = false
      defer { g.recording = true }
      let logits = layer(g, g.constant(x, Shape(y.count, dim)))
      var hits = 0
      for n in 0..<y.count {
        var best = 0
        for k in 1..<K where logits[n * K + k] > logits[n * K + best] { best = k }
        if best == y[n] { hits += 1 }
      }
      return Float(hits) / Float(y.count)
    }
    return (accuracy(xs, trainY), accuracy(xt, testY))
  }

  /// Probes `trained` and `random` (same architecture) on colour, shape, position and style.
  public static func evaluate(trained: ViT, random: ViT, config: ProbeConfig, seed: UInt64,
                              log: (String) -> Void) -> ProbeReport {
    let start = Date()
    let S = trained.config.imageSize, C = trained.config.width
    let train = ProbeSet.make(count: config.trainImages, imageSize: S, seed: seed, heldOut: false, config: config)
    let test = ProbeSet.make(count: config.testImages, imageSize: S, seed: seed &+ 1, heldOut: true, config: config)
    log("probe: rendered \(train.count) + \(test.count) images; extracting features")
    let fTrained = (features(trained, images: train.images, count: train.count, batch: config.batch),
                    features(trained, images: test.images, count: test.count, batch: config.batch))
    let fRandom = (features(random, images: train.images, count: train.count, batch: config.batch),
                   features(random, images: test.images, count: test.count, batch: config.batch))
    var cls: [ProbeRow] = [], both: [ProbeRow] = []
    for a in ProbeAttribute.allCases {
      let ytr = train.labels[a] ?? [], yte = test.labels[a] ?? []
      var freq = [Int](repeating: 0, count: a.classes)
      for y in yte { freq[y] += 1 }
      let majority = Float(freq.max() ?? 0) / Float(max(yte.count, 1))
      func row(_ pick: ((cls: [Float], clsMean: [Float])) -> [Float], dim: Int) -> ProbeRow {
        let r = fit(trainX: pick(fRandom.0), trainY: ytr, testX: pick(fRandom.1), testY: yte, dim: dim, classes: a.classes, config: config)
        let t = fit(trainX: pick(fTrained.0), trainY: ytr, testX: pick(fTrained.1), testY: yte, dim: dim, classes: a.classes, config: config)
        return ProbeRow(attribute: a.rawValue, classes: a.classes, majority: majority, randomInit: r.test, trained: t.test,
                        randomInitTrain: r.train, trainedTrain: t.train)
      }
      cls.append(row({ $0.cls }, dim: C))
      both.append(row({ $0.clsMean }, dim: 2 * C))
    }
    return ProbeReport(trainImages: train.count, testImages: test.count, seconds: Date().timeIntervalSince(start),
                       cls: cls, clsMeanPatch: both)
  }
}
