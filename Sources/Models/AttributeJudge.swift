import Engine
import Foundation

// The attribute judges (WORLD.md, judge-a and judge-b): a small ViT whose CLS feature feeds one
// Linear layer, whose outputs are several classifiers' logits side by side. This file knows
// images and class counts only; what each head means (colour, shape, ...), how a render is
// labelled and how a prompt is scored live in Trainer/Evaluation (JudgeLabels.swift,
// Alignment.swift), which can see the World module.

/// One classification head of the judge: a name and its number of classes.
public struct AttributeHeadSpec: Codable, Sendable, Equatable {
  /// The attribute's name, e.g. "colour" (Trainer's `JudgedAttribute` raw values).
  public var name: String
  /// Number of classes, including any "none" class.
  public var classes: Int

  public init(name: String, classes: Int) {
    self.name = name
    self.classes = classes
  }
}

/// What the heads read from the trunk.
public enum JudgePooling: String, Codable, Sendable, CaseIterable {
  /// The CLS feature (B, C).
  case cls
  /// The CLS feature beside the mean of the patch tokens (B, 2C). Counting is a sum over the
  /// image of "an instance is here" evidence, which a mean over tokens carries directly while
  /// CLS must gather it through attention.
  case clsMean = "cls-mean"
}

/// The attribute judge's shape: a ViT trunk and its heads, laid out in order in one Linear.
public struct AttributeJudgeConfig: Codable, Sendable, Equatable {
  /// The trunk (parameters under `trunk.`).
  public var trunk: ViTConfig
  /// The heads, in the order of their logit columns.
  public var heads: [AttributeHeadSpec]
  /// What the heads read; files written before this key existed are `.cls`.
  public var pooling: JudgePooling

  public init(trunk: ViTConfig, heads: [AttributeHeadSpec], pooling: JudgePooling = .cls) {
    self.trunk = trunk
    self.heads = heads
    self.pooling = pooling
  }

  enum CodingKeys: String, CodingKey { case trunk, heads, pooling }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    trunk = try c.decode(ViTConfig.self, forKey: .trunk)
    heads = try c.decode([AttributeHeadSpec].self, forKey: .heads)
    pooling = try c.decodeIfPresent(JudgePooling.self, forKey: .pooling) ?? .cls
  }

  /// Width of the feature the heads read.
  public var featureWidth: Int { pooling == .clsMean ? 2 * trunk.width : trunk.width }

  /// All logit columns: the sum of the heads' class counts.
  public var totalClasses: Int { heads.reduce(0) { $0 + $1.classes } }

  /// The first logit column of head `h`.
  public func offset(of h: Int) -> Int { heads[..<h].reduce(0) { $0 + $1.classes } }

  /// The index of the head called `name`, if any.
  public func head(named name: String) -> Int? { heads.firstIndex { $0.name == name } }
}

/// One image's judgement: a probability vector per head (softmax of that head's logits).
public struct JudgedAttributes: Sendable, Equatable {
  /// probabilities[h] has `heads[h].classes` entries summing to 1.
  public var probabilities: [[Float]]

  public init(probabilities: [[Float]]) { self.probabilities = probabilities }

  /// The most probable class of head `h` (the first on ties).
  public func argmax(_ h: Int) -> Int {
    let p = probabilities[h]
    var best = 0
    for k in p.indices where p[k] > p[best] { best = k }
    return best
  }

  /// P(head `h` = class `k`).
  public func probability(_ h: Int, _ k: Int) -> Float { probabilities[h][k] }
}

/// A multi-head attribute classifier over images: ViT trunk → CLS (B, C), or CLS beside the
/// mean patch token (B, 2C) → Linear (B, ΣK).
///
/// Images are RGB (B, 3, S, S). With `trunk.channels` = 6 the trunk reads
/// `ImageFeatures.edgesAndMask` of them (RGB, edges, object mask); with 3, the RGB itself.
/// Names: `trunk.*` (timm's VisionTransformer, see ViT), `head.weight` [ΣK, C or 2C], `head.bias`.
public struct AttributeJudge {
  public let config: AttributeJudgeConfig
  public let store: ParameterStore
  public let trunk: ViT
  let head: LinearLayer

  /// Declares every parameter in `store` (call `store.allocate` afterwards).
  public init(_ config: AttributeJudgeConfig, store: ParameterStore) {
    precondition(!config.heads.isEmpty && config.heads.allSatisfy { $0.classes >= 2 }, "AttributeJudge: every head needs ≥ 2 classes")
    precondition([3, ImageFeatures.channels].contains(config.trunk.channels), "AttributeJudge: trunk.channels must be 3 or \(ImageFeatures.channels)")
    self.config = config
    self.store = store
    trunk = ViT(config.trunk, store: store, prefix: "trunk")
    head = LinearLayer(store, "head", in: config.featureWidth, out: config.totalClasses)
  }

  /// Floats per RGB image: 3·S·S.
  public var imageFloats: Int { 3 * config.trunk.imageSize * config.trunk.imageSize }

  /// Sets the trunk's patch positions to 2-D sin-cos values (after `store.allocate`, before
  /// training; see ImageFeatures).
  public func initialisePositions() {
    let grid = config.trunk.imageSize / config.trunk.patch
    ImageFeatures.fillSinCosPositions(store, name: "trunk.pos_embed", grid: grid, width: config.trunk.width)
  }

  /// Every head's logits side by side: images (B, 3, S, S) in [−1, 1] → (B, ΣK). The feature
  /// channels are data, so no gradient reaches `images` through them.
  public func logits(_ g: Graph, images: Tensor) -> Tensor {
    let B = images.shape[0], S = config.trunk.imageSize
    precondition(images.count == B * imageFloats, "AttributeJudge: images \(images.shape), expected (B, 3, \(S), \(S))")
    let input = config.trunk.channels == ImageFeatures.channels
      ? ImageFeatures.tensor(g, images: images)
      : images
    switch config.pooling {
    case .cls:
      return head(g, trunk.cls(g, images: input))
    case .clsMean:
      let t = trunk.tokens(g, images: input)  // (B, 1 + N, C)
      let C = config.trunk.width, N = config.trunk.patchTokens
      let cls = g.sliceTokens(t, start: 0, count: 1).reshaped(B, C)
      let mean = g.meanPool(g.sliceTokens(t, start: 1, count: N))  // (B, C)
      return head(g, g.concatColumns(cls, mean, rows: B))
    }
  }

  /// The weighted sum of the heads' cross-entropies: logits (B, ΣK), targets (B, heads) class
  /// indices with −1 where an image has no label for a head (e.g. the position of objects
  /// spread over several cells), `weights` one per head (nil: all 1). Each head's term is its
  /// mean over all B rows, so an unlabelled row adds neither loss nor gradient (its soft
  /// target is all zeros).
  public func loss(_ g: Graph, logits: Tensor, targets: [Int], weights: [Float]? = nil) -> Tensor {
    let B = logits.shape[0], H = config.heads.count
    precondition(targets.count == B * H, "AttributeJudge.loss: \(targets.count) targets for \(B) images × \(H) heads")
    precondition(weights.map { $0.count == H } ?? true, "AttributeJudge.loss: \(weights?.count ?? 0) weights for \(H) heads")
    var total: Tensor? = nil
    for (h, spec) in config.heads.enumerated() {
      let K = spec.classes
      var soft = [Float](repeating: 0, count: B * K)  // (B, K) one-hot rows, zero rows unlabelled
      for b in 0..<B {
        let k = targets[b * H + h]
        precondition(k < K, "AttributeJudge.loss: head \(spec.name) target \(k) ≥ \(K)")
        if k >= 0 { soft[b * K + k] = 1 }
      }
      let slice = g.sliceColumns(logits, rows: B, start: config.offset(of: h), count: K)  // (B, K)
      var term = g.softCrossEntropy(slice, targets: g.constant(soft, Shape(B, K)))
      if let w = weights?[h], w != 1 { term = g.scale(term, w) }
      total = total.map { g.add($0, term) } ?? term
    }
    return total ?? g.filled(Shape(), 0)
  }

  /// Per-head softmax of a (B, ΣK) logit array, one `JudgedAttributes` per row.
  public func judgements(logits: [Float]) -> [JudgedAttributes] {
    let K = config.totalClasses
    let B = logits.count / K
    return (0..<B).map { b in
      JudgedAttributes(probabilities: config.heads.indices.map { h in
        let start = b * K + config.offset(of: h)
        return AttributeJudge.softmax(Array(logits[start..<(start + config.heads[h].classes)]))
      })
    }
  }

  /// Judges images (B, 3, S, S) in [−1, 1], `batchSize` at a time, without recording.
  public func predict(images: [Float], batchSize: Int = 64, graph: Graph = Graph()) -> [JudgedAttributes] {
    let D = imageFloats, S = config.trunk.imageSize
    precondition(images.count % D == 0, "AttributeJudge.predict: \(images.count) floats is not a whole number of 3×\(S)×\(S) images")
    let N = images.count / D
    let wasRecording = graph.recording
    graph.recording = false
    defer { graph.recording = wasRecording }
    var out: [JudgedAttributes] = []
    out.reserveCapacity(N)
    for start in stride(from: 0, to: N, by: max(1, batchSize)) {
      let B = min(max(1, batchSize), N - start)
      graph.reset()
      let x = graph.constant(Array(images[(start * D)..<((start + B) * D)]), Shape(B, 3, S, S))
      out += judgements(logits: logits(graph, images: x).toArray())
    }
    graph.reset()
    return out
  }

  /// A numerically stable softmax of one row.
  static func softmax(_ x: [Float]) -> [Float] {
    let m = x.max() ?? 0
    let e = x.map { Foundation.exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }
}
