import Engine
import GRPO
import Models

/// Frozen backbone features of image batches, computed without a tape, `batchSize` at a time.
public final class BackboneFeatures {
  public let backbone: ViT
  let graph = Graph()
  let batchSize: Int

  public init(backbone: ViT, batchSize: Int = 64) {
    self.backbone = backbone
    self.batchSize = batchSize
  }

  var imageFloats: Int { 3 * backbone.config.imageSize * backbone.config.imageSize }

  /// Every token L2-normalised: (N, 1 + P, d), for the discriminator.
  public func tokens(_ images: [Float]) -> TokenFeatures {
    let D = imageFloats, N = images.count / D, T = 1 + backbone.config.patchTokens, C = backbone.config.width
    var out = [Float](repeating: 0, count: N * T * C)
    run(images) { start, B, g, x in
      let f = g.l2Normalize(backbone.tokens(g, images: x))  // (B, T, C)
      for i in 0..<(B * T * C) { out[start * T * C + i] = f.data[i] }
    }
    return TokenFeatures(values: out, count: N, tokens: T, width: C)
  }

  /// The CLS feature, L2-normalised: (N, d), for preference pairs, Fréchet distance and diversity.
  public func cls(_ images: [Float]) -> [Float] {
    let D = imageFloats, N = images.count / D, C = backbone.config.width
    var out = [Float](repeating: 0, count: N * C)
    run(images) { start, B, g, x in
      let f = g.l2Normalize(backbone.cls(g, images: x))  // (B, C)
      for i in 0..<(B * C) { out[start * C + i] = f.data[i] }
    }
    return out
  }

  func run(_ images: [Float], _ body: (_ start: Int, _ count: Int, _ g: Graph, _ x: Tensor) -> Void) {
    let D = imageFloats, N = images.count / D, S = backbone.config.imageSize
    graph.recording = false
    for start in stride(from: 0, to: N, by: batchSize) {
      let B = min(batchSize, N - start)
      graph.reset()
      let x = graph.constant(Array(images[(start * D)..<((start + B) * D)]), Shape(B, 3, S, S))
      body(start, B, graph, x)
    }
    graph.reset()
  }
}
