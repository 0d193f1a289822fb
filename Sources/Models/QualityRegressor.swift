import Engine
import Foundation

// The quality regressor (WORLD.md, "quality"): the "aesthetic" reward term. A small ViT reads an
// image and predicts, for each synthetic degradation the world knows (blur, noise, blockiness,
// colour cast, in World's `Degradation.allCases` order), how severe it is in [0, 1]. The
// reward is quality = 1 − mean(severities): 1 for a clean image, lower the more damage it
// shows. Training uses binary cross-entropy with the true severities as soft targets, so the
// sigmoid outputs are calibrated severities rather than class scores.

/// The quality regressor's shape: a ViT trunk and one output per degradation.
public struct QualityRegressorConfig: Codable, Sendable, Equatable {
  /// The trunk (parameters under `trunk.`).
  public var trunk: ViTConfig
  /// Degradations predicted (World's `Degradation.allCases.count`, 4).
  public var outputs: Int
  /// The degradations' names in output order, for reports and for readers of the weights.
  public var names: [String]

  public init(trunk: ViTConfig, outputs: Int = 4, names: [String] = ["blur", "noise", "blockiness", "colour-cast"]) {
    self.trunk = trunk
    self.outputs = outputs
    self.names = names
  }
}

/// Severity regressor: ViT trunk → CLS (B, C) → Linear → (B, outputs) logits; σ(logit) is the
/// predicted severity. Images are RGB (B, 3, S, S); with `trunk.channels` = 6 the trunk reads
/// `ImageFeatures.edgesAndMask` of them (edge strength is what blur, noise and blocks change).
/// Names: `trunk.*` (see ViT), `head.weight` [outputs, C], `head.bias`.
public struct QualityRegressor {
  public let config: QualityRegressorConfig
  public let store: ParameterStore
  public let trunk: ViT
  let head: LinearLayer

  /// Declares every parameter in `store` (call `store.allocate` afterwards).
  public init(_ config: QualityRegressorConfig, store: ParameterStore) {
    precondition(config.outputs >= 1, "QualityRegressor: needs at least one output")
    precondition([3, ImageFeatures.channels].contains(config.trunk.channels), "QualityRegressor: trunk.channels must be 3 or \(ImageFeatures.channels)")
    self.config = config
    self.store = store
    trunk = ViT(config.trunk, store: store, prefix: "trunk")
    head = LinearLayer(store, "head", in: config.trunk.width, out: config.outputs)
  }

  /// Floats per RGB image: 3·S·S.
  public var imageFloats: Int { 3 * config.trunk.imageSize * config.trunk.imageSize }

  /// Sets the trunk's patch positions to 2-D sin-cos values (after `store.allocate`).
  public func initialisePositions() {
    let grid = config.trunk.imageSize / config.trunk.patch
    ImageFeatures.fillSinCosPositions(store, name: "trunk.pos_embed", grid: grid, width: config.trunk.width)
  }

  /// Severity logits: images (B, 3, S, S) in [−1, 1] → (B, outputs). The feature channels are
  /// data, so no gradient reaches `images` through them.
  public func logits(_ g: Graph, images: Tensor) -> Tensor {
    let B = images.shape[0], S = config.trunk.imageSize
    precondition(images.count == B * imageFloats, "QualityRegressor: images \(images.shape), expected (B, 3, \(S), \(S))")
    guard config.trunk.channels == ImageFeatures.channels else { return head(g, trunk.cls(g, images: images)) }
    let features = ImageFeatures.tensor(g, images: images)
    return head(g, trunk.cls(g, images: features))
  }

  /// Mean binary cross-entropy of the logits (B, outputs) against true severities (B, outputs)
  /// in [0, 1] (soft targets: the minimum sits at σ(logit) = severity).
  public func loss(_ g: Graph, logits: Tensor, severities: [Float]) -> Tensor {
    precondition(severities.count == logits.count, "QualityRegressor.loss: \(severities.count) targets for \(logits.shape)")
    return g.binaryCrossEntropy(logits, targets: g.constant(severities, logits.shape))
  }

  /// Predicted severities in [0, 1], one row of `outputs` per image; images (B, 3, S, S) in
  /// [−1, 1], `batchSize` at a time, without recording.
  public func severities(images: [Float], batchSize: Int = 64, graph: Graph = Graph()) -> [[Float]] {
    let D = imageFloats, S = config.trunk.imageSize, K = config.outputs
    precondition(images.count % D == 0, "QualityRegressor: \(images.count) floats is not a whole number of 3×\(S)×\(S) images")
    let N = images.count / D
    let wasRecording = graph.recording
    graph.recording = false
    defer { graph.recording = wasRecording }
    var out: [[Float]] = []
    out.reserveCapacity(N)
    for start in stride(from: 0, to: N, by: max(1, batchSize)) {
      let B = min(max(1, batchSize), N - start)
      graph.reset()
      let x = graph.constant(Array(images[(start * D)..<((start + B) * D)]), Shape(B, 3, S, S))
      let z = logits(graph, images: x).toArray()  // (B, K)
      for b in 0..<B { out.append(z[(b * K)..<((b + 1) * K)].map { 1 / (1 + Foundation.exp(-$0)) }) }
    }
    graph.reset()
    return out
  }

  /// The reward term per image: 1 − mean predicted severity, in [0, 1].
  public func quality(images: [Float], batchSize: Int = 64, graph: Graph = Graph()) -> [Float] {
    severities(images: images, batchSize: batchSize, graph: graph).map(QualityRegressor.quality(severities:))
  }

  /// 1 − mean(severities): the quality of an image with these degradation severities.
  public static func quality(severities: [Float]) -> Float {
    guard !severities.isEmpty else { return 1 }
    return 1 - severities.reduce(0, +) / Float(severities.count)
  }
}
