import Engine
import Foundation
import Models

// iBOT's masked image modelling (Zhou et al. 2022, "iBOT: image BERT pre-training with online
// tokenizer") on top of DINO: the student sees its global views with blocks of patches replaced
// by a learned mask token and must predict, at each masked patch, the teacher's centred and
// sharpened prototype distribution for that patch of the unmasked view. The CLS objective alone
// is satisfied by what is cheapest to agree on across views (hue, background, style); a patch
// behind the mask can only be predicted from its surroundings, which makes the features carry
// local structure: where an outline continues, which corner a straight edge meets.

/// Settings of the masked-patch objective (`mim.*`); weight 0 is plain DINO.
public struct MaskedImageModellingConfig: Codable, Sendable, Equatable {
  /// Weight of the patch loss beside the CLS loss (iBOT: 1). 0 turns the objective off.
  public var weight: Float = 0
  /// Range [lo, hi] of the fraction of a global view's patches that is masked, drawn per view
  /// (iBOT: 0.3 ± 0.2).
  public var ratio: [Float] = [0.1, 0.5]
  /// Teacher temperature of the patch targets (iBOT: 0.07, softer than the CLS's 0.04).
  public var teacherTemperature: Float = 0.07
  /// What a masked patch is predicted as: `teacher`, the teacher's prototype distribution for
  /// it (iBOT), or `pixels`, its own pixels normalised per patch (SimMIM with MAE's
  /// normalised targets). The teacher's patch features start as random as the student's, so
  /// iBOT's target must bootstrap; pixels are grounded from the first step: to redraw a hidden
  /// part of an outline, the patch tokens around it must know the outline.
  public var target: MaskedTarget = .teacher

  public init() {}

  /// Throws a ConfigError naming the first bad key under `prefix`.
  func validate(prefix: String) throws {
    try require(weight >= 0 && weight <= 100, "\(prefix).weight", "must be in [0, 100], got \(weight)")
    try require(ratio.count == 2 && ratio[0] >= 0 && ratio[0] <= ratio[1] && ratio[1] < 1,
                "\(prefix).ratio", "must be [lo, hi] with 0 ≤ lo ≤ hi < 1, got \(ratio)")
    try require(teacherTemperature > 0, "\(prefix).teacherTemperature", "must be > 0, got \(teacherTemperature)")
  }
}

/// The prediction target of masked patches.
public enum MaskedTarget: String, Codable, Sendable, Equatable {
  case teacher, pixels
}

/// Block masks over a side × side patch grid, as iBOT's masking generator draws them.
public enum PatchMasks {
  /// One view's mask: `side`² flags, 1 = masked, about `ratio`·side² of them, made of random
  /// rectangles (area ≥ 2 patches, aspect in [0.3, 3.3]) so that a masked patch's neighbours
  /// are often masked too and cannot simply be copied.
  public static func block(side: Int, ratio: Float, rng: inout RNG) -> [Float] {
    let P = side * side
    let target = min(P - 1, Int((ratio * Float(P)).rounded()))
    var mask = [Float](repeating: 0, count: P)
    var count = 0, failures = 0
    while count < target && failures < 20 {
      let room = target - count
      let area = rng.uniform(Float(min(2, room)), Float(room) + 0.999)
      let aspect = Foundation.exp(rng.uniform(Foundation.log(0.3), Foundation.log(3.3)))
      let h = Int((area * aspect).squareRoot().rounded()), w = Int((area / aspect).squareRoot().rounded())
      let top = Int(rng.uniform(0, Float(side) - 1e-3)), left = Int(rng.uniform(0, Float(side) - 1e-3))
      guard h >= 1, w >= 1, h <= side, w <= side else { failures += 1; continue }
      var added = 0
      for r in top..<min(top + h, side) {
        for c in left..<min(left + w, side) where mask[r * side + c] == 0 && count + added < target {
          mask[r * side + c] = 1
          added += 1
        }
      }
      if added == 0 { failures += 1 }
      count += added
    }
    return mask
  }

  /// Masks for `views` views: (views, side²) flags, each view's ratio drawn from `ratio`.
  public static func batch(views: Int, side: Int, ratio: [Float], rng: inout RNG) -> [Float] {
    var out: [Float] = []
    out.reserveCapacity(views * side * side)
    for _ in 0..<views { out += block(side: side, ratio: rng.uniform(ratio[0], ratio[1]), rng: &rng) }
    return out
  }

  /// The patch targets: the teacher's distributions (N·P, K) where `mask` (N·P) is 1, zero rows
  /// elsewhere, and how many rows are masked.
  public static func targets(teacherProbs: [Float], mask: [Float], prototypes K: Int) -> (targets: [Float], masked: Int) {
    precondition(teacherProbs.count == mask.count * K, "PatchMasks.targets: \(teacherProbs.count) probs for \(mask.count) patches")
    var out = [Float](repeating: 0, count: teacherProbs.count)
    var masked = 0
    for (i, m) in mask.enumerated() where m != 0 {
      for k in 0..<K { out[i * K + k] = teacherProbs[i * K + k] }
      masked += 1
    }
    return (out, masked)
  }

  /// Pixel targets of images (N, 3, S, S): each patch's 3·p·p values (patchify order) minus
  /// their mean, divided by their standard deviation (+ 1e-6 under the root): (N·P, 3·p·p).
  public static func pixelTargets(_ g: Graph, images: Tensor, patch p: Int) -> [Float] {
    let wasRecording = g.recording
    g.recording = false
    defer { g.recording = wasRecording }
    var x = g.patchify(images, channels: 3, patch: p).toArray()
    let F = 3 * p * p
    for r in 0..<(x.count / F) {
      var mean: Float = 0, square: Float = 0
      for i in 0..<F { mean += x[r * F + i] }
      mean /= Float(F)
      for i in 0..<F { square += (x[r * F + i] - mean) * (x[r * F + i] - mean) }
      let inv = 1 / (square / Float(F) + 1e-6).squareRoot()
      for i in 0..<F { x[r * F + i] = (x[r * F + i] - mean) * inv }
    }
    return x
  }

  /// SimMIM's loss: the mean squared error over the masked patches' values only.
  /// predictions (N·P, F); targets (N·P, F) from `pixelTargets`; mask (N·P), 1 = masked.
  public static func pixelLoss(_ g: Graph, predictions: Tensor, targets: [Float], mask: [Float]) -> Tensor {
    let F = predictions.shape.last, rows = mask.count
    precondition(targets.count == rows * F && predictions.count == rows * F, "PatchMasks.pixelLoss: shapes do not match")
    let masked = mask.reduce(0, +)
    let kept = g.scaleRows(predictions, g.constant(mask, Shape(rows)))
    let target = g.constant(Shape(rows, F)) { targets[$0] * mask[$0 / F] }
    return g.scale(g.mse(kept, target), Float(rows) / max(masked, 1))
  }

  /// iBOT's patch loss: the mean over masked patches of −Σ_k p_t,k log softmax(s / τ_s)_k.
  /// scores (N·P, K) student cosines; targets (N·P, K) from `targets`, zero where unmasked.
  public static func loss(_ g: Graph, studentScores: Tensor, targets: Tensor, masked: Int, studentTemperature: Float) -> Tensor {
    let rows = studentScores.shape.rows
    let ce = g.softCrossEntropy(g.scale(studentScores, 1 / studentTemperature), targets: targets)  // Σ / rows
    return g.scale(ce, Float(rows) / Float(max(masked, 1)))
  }
}
