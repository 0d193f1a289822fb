import Engine
import Foundation

// Instance contrast (SimCLR's NT-Xent, Chen et al. 2020) beside or instead of DINO's loss:
// each image's two global views must pick each other out of the batch's 2B − 1 other views
// by the cosine of their head embeddings. DINO only asks two views to land on the same
// prototypes, and with a few hundred prototypes and a short run the cheapest partition is
// by style and background, which says nothing of shape. Instance contrast has no partition
// to settle on: whatever the augmentations leave shared between two views and different
// between images (with hue turned, crops moved and colour jittered, that is the object's
// outline, the count, the style and the background's kind) has to be in the features, or
// the positive cannot be told from a negative with the same style and background.

/// Settings of the instance-contrast term (`contrastive.*`); weight 0 turns it off.
public struct ContrastiveConfig: Codable, Sendable, Equatable {
  /// Weight of the NT-Xent loss beside DINO's (scaled by `dinoWeight`).
  public var weight: Float = 0
  /// Softmax temperature of the cosines (SimCLR: 0.1–0.5).
  public var temperature: Float = 0.2

  public init(weight: Float = 0, temperature: Float = 0.2) {
    self.weight = weight
    self.temperature = temperature
  }

  /// Throws a ConfigError naming the first bad key under `prefix`.
  func validate(prefix: String) throws {
    try require(weight >= 0 && weight <= 100, "\(prefix).weight", "must be in [0, 100], got \(weight)")
    try require(temperature > 0 && temperature <= 10, "\(prefix).temperature", "must be in (0, 10], got \(temperature)")
  }
}

/// NT-Xent over the two global views of a batch.
public enum InstanceContrast {
  /// The loss of unit embeddings z (2B, d), view-major (rows b and B + b are one image's two
  /// views): mean over the 2B rows of −log softmax_j(z_i·z_j / τ) at j = the row's partner,
  /// with j = i left out of the softmax.
  public static func loss(_ g: Graph, embeddings z: Tensor, temperature: Float) -> Tensor {
    let N = z.shape.rows, B = N / 2
    precondition(N == 2 * B && B >= 1, "InstanceContrast.loss: \(N) rows are not two views of one batch")
    let cosines = g.linear(z, z, nil)  // (2B, 2B), z·zᵀ; both factors get the gradient
    // A large negative on the diagonal takes a view's similarity to itself out of the softmax.
    let selfMask = g.constant(Shape(N, N)) { $0 / N == $0 % N ? -1e4 : 0 }
    let logits = g.add(g.scale(cosines, 1 / temperature), selfMask)
    let partners = g.constant(Shape(N)) { Float(($0 + B) % N) }
    return g.crossEntropy(logits, targets: partners)
  }

  /// Top-1 accuracy of the same retrieval, from the embeddings' values (no tape): the share
  /// of rows whose most similar other row is their partner.
  public static func accuracy(_ z: Tensor) -> Float {
    let N = z.shape.rows, d = z.shape.last, B = N / 2
    guard B >= 1 else { return 0 }
    var hits = 0
    for i in 0..<N {
      var best = -Float.infinity, arg = -1
      for j in 0..<N where j != i {
        var dot: Float = 0
        for c in 0..<d { dot += z.data[i * d + c] * z.data[j * d + c] }
        if dot > best { (best, arg) = (dot, j) }
      }
      if arg == (i + B) % N { hits += 1 }
    }
    return Float(hits) / Float(N)
  }
}
