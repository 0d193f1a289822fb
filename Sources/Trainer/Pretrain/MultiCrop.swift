import Engine
import Foundation
import World

// DINO's multi-crop on world renders: two large "global" crops and several small "local"
// crops of each image, all resampled to the model's one input size (so one position-embedding
// table serves every view). The only augmentations are geometric (random resized crop and a
// horizontal flip): no hue, saturation or brightness jitter, because colour must stay
// linearly decodable from the features (the discriminator, the probes and the preference
// model all read colour off them).

/// Random-resized-crop settings for the global and local views.
public struct MultiCropConfig: Codable, Sendable, Equatable {
  /// Area fraction range of the global crops, [lo, hi] in (0, 1]. Larger than DINO's
  /// (0.4, 1) on ImageNet: our objects cover 5–15 % of the image, and two global views that
  /// miss the object can only agree on background and style.
  public var globalScale: [Float] = [0.6, 1.0]
  /// Area fraction range of the local crops, [lo, hi] in (0, 1].
  public var localScale: [Float] = [0.2, 0.5]
  /// Local crops per image (the two global crops are fixed, as in DINO).
  public var localCrops = 2
  /// Aspect-ratio range (width / height) of a crop, sampled log-uniformly.
  public var aspect: [Float] = [0.75, 1.3333]
  /// Probability of a horizontal flip per view.
  public var flip: Float = 0.5

  public init() {}

  /// Global views per image (the teacher sees only these).
  public static let globalCrops = 2

  /// Views per image, globals first.
  public var views: Int { MultiCropConfig.globalCrops + localCrops }

  /// Throws a ConfigError naming the first bad key under `prefix`.
  func validate(prefix: String) throws {
    for (key, range) in [("globalScale", globalScale), ("localScale", localScale)] {
      try require(range.count == 2 && range[0] > 0 && range[0] <= range[1] && range[1] <= 1,
                  "\(prefix).\(key)", "must be [lo, hi] with 0 < lo ≤ hi ≤ 1, got \(range)")
    }
    try require(aspect.count == 2 && aspect[0] > 0 && aspect[0] <= aspect[1], "\(prefix).aspect",
                "must be [lo, hi] with 0 < lo ≤ hi, got \(aspect)")
    try require(localCrops >= 0 && localCrops <= 16, "\(prefix).localCrops", "must be in 0...16, got \(localCrops)")
    try require(flip >= 0 && flip <= 1, "\(prefix).flip", "must be in [0, 1], got \(flip)")
  }
}

/// Crops of planar images: the geometric augmentations of the backbone's pretraining.
public enum MultiCrop {
  /// A random resized crop of `src` (3, S, S) planar floats, resampled bilinearly to
  /// (3, S, S) and flipped left-right with probability `flip`; written into `out`.
  public static func crop(_ src: UnsafeBufferPointer<Float>, size S: Int, scale: [Float], aspect: [Float], flip: Float,
                   rng: inout RNG, into out: UnsafeMutableBufferPointer<Float>) {
    let side = Float(S)
    var w = side, h = side
    // Rejection as torchvision does; a whole-image crop is the fallback.
    for _ in 0..<10 {
      let area = rng.uniform(scale[0], scale[1]) * side * side
      let ratio = Foundation.exp(rng.uniform(Foundation.log(aspect[0]), Foundation.log(aspect[1])))
      let cw = (area * ratio).squareRoot(), ch = (area / ratio).squareRoot()
      if cw <= side && ch <= side {
        (w, h) = (cw, ch)
        break
      }
    }
    let x0 = rng.uniform(0, side - w + 1e-6), y0 = rng.uniform(0, side - h + 1e-6)
    let flipped = rng.uniform() < flip
    let sx = w / side, sy = h / side
    let plane = S * S, last = max(S - 2, 0)
    guard let p = src.baseAddress else { return }
    for j in 0..<S {
      // Pixel centres map to crop coordinates; clamping makes the border replicate.
      let y = min(max(y0 + (Float(j) + 0.5) * sy - 0.5, 0), side - 1)
      let yi = min(Int(y), last), fy = y - Float(yi)
      for i in 0..<S {
        let col = flipped ? S - 1 - i : i
        let x = min(max(x0 + (Float(col) + 0.5) * sx - 0.5, 0), side - 1)
        let xi = min(Int(x), last), fx = x - Float(xi)
        let i00 = yi * S + xi, i01 = i00 + 1, i10 = i00 + S, i11 = i10 + 1
        for c in 0..<3 {
          let q = p + c * plane
          let top = q[i00] + fx * (q[i01] - q[i00])
          let bottom = q[i10] + fx * (q[i11] - q[i10])
          out[c * plane + j * S + i] = top + fy * (bottom - top)
        }
      }
    }
  }
}

/// One DINO batch: every view of every image, ready to become tensors.
struct MultiCropBatch: Sendable {
  /// (V, B, 3, S, S) planar floats in [−1, 1], view-major with the global views first, so the
  /// teacher's input is the first 2·B images and any run of views is one contiguous slice.
  var views: [Float]

  /// Renders batch `step`: prompts (every style at a random strength, backgrounds, second
  /// objects) and crops all come from streams of `rng` named by the step, so a batch is the
  /// same whichever thread makes it.
  static func make(step: Int, batch B: Int, imageSize S: Int, crops: MultiCropConfig, sampler: PromptSampler,
                   styleStrength: [Float], rng: RNG) -> MultiCropBatch {
    var r = rng.stream(UInt64(step))
    let prompts = PromptSampler(seed: r.nextBlock().hashSeed, distribution: sampler.distribution).training(count: B)
    let V = crops.views, D = 3 * S * S
    var views = [Float](repeating: 0, count: V * B * D)
    views.withUnsafeMutableBufferPointer { all in
      guard let base = all.baseAddress else { return }
      for b in 0..<B {
        let strength = r.uniform(styleStrength[0], styleStrength[1])
        let scene = Renderer.render(prompts[b], size: S, seed: r.nextBlock().hashSeed, styleStrength: strength)
        let image = scene.image.planarSigned()  // (3, S, S)
        image.withUnsafeBufferPointer { src in
          for v in 0..<V {
            let local = v >= MultiCropConfig.globalCrops
            let out = UnsafeMutableBufferPointer(start: base + (v * B + b) * D, count: D)
            MultiCrop.crop(src, size: S, scale: local ? crops.localScale : crops.globalScale, aspect: crops.aspect,
                           flip: crops.flip, rng: &r, into: out)
          }
        }
      }
    }
    return MultiCropBatch(views: views)
  }
}
