import Engine
import Foundation
import World

// DINO's multi-crop on world renders: two large "global" crops and several small "local"
// crops of each image, all resampled to the model's one input size (so one position-embedding
// table serves every view). Besides the geometric augmentations (random resized crop and a
// horizontal flip) each view gets a mild photometric jitter: brightness, contrast and
// saturation, and now and then greyscale, and a local view may have its hue rotated. Without
// them the cheapest way for two views to agree is the object's hue and the background (the
// largest pixel mass), and the probes saw colour learned but shape at chance. The teacher's
// views keep their hue and greyscale is rare, so colour stays linearly decodable from the
// features (the discriminator, the probes and the preference model all read colour off them).
// Measured at 400 steps against the same run without them: shape +2.5, style +2.3, colour
// −1.3 points of (300-step) probe accuracy, i.e. within noise; they are kept because they
// cost nothing and remove a shortcut, not because they fixed the shape probe.
// The shipped run (instance contrast, no teacher) turns hue in global views too and swaps half
// of them for an ObjectPaste view; colour still reads at 61.9 % on its features.

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
  /// Photometric jitter of every view (hue only as `colour.localHue` and `colour.globalHue` say).
  public var colour = ColourJitterConfig()
  /// Chance that a global view is the image's object cut out, turned, rescaled by a factor in
  /// `pasteScale` and laid on a flat ground at a random place (ObjectPaste) instead of a crop.
  public var paste: Float = 0
  /// Range [lo, hi] of the pasted object's rescaling.
  public var pasteScale: [Float] = [0.8, 1.25]

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
    try require(paste >= 0 && paste <= 1, "\(prefix).paste", "must be in [0, 1], got \(paste)")
    try require(pasteScale.count == 2 && pasteScale[0] > 0 && pasteScale[0] <= pasteScale[1] && pasteScale[1] <= 4,
                "\(prefix).pasteScale", "must be [lo, hi] with 0 < lo ≤ hi ≤ 4, got \(pasteScale)")
    try colour.validate(prefix: "\(prefix).colour")
  }
}

/// DINO's colour augmentation without the hue term: with probability `probability` a view's
/// brightness, contrast and saturation are each scaled by a factor drawn from [1 − x, 1 + x];
/// independently it turns grey with probability `greyscale`.
public struct ColourJitterConfig: Codable, Sendable, Equatable {
  /// Chance that a view is jittered at all (DINO: 0.8).
  public var probability: Float = 0.8
  public var brightness: Float = 0.3
  public var contrast: Float = 0.3
  public var saturation: Float = 0.3
  /// Chance that a view is turned grey (DINO: 0.2; rarer here so hue stays a strong feature).
  public var greyscale: Float = 0.1
  /// Chance that a *local* view's hue is rotated by a uniform random angle. Brightness,
  /// contrast and saturation leave hue intact, so two views can still agree on hue alone;
  /// a local crop with a random hue must match the teacher's (faithful, global) target from
  /// shape, layout and style instead. With `globalHue` 0 (the DINO setting) the global views
  /// keep their hue, so hue remains part of what the targets encode.
  public var localHue: Float = 0.8
  /// Chance that a *global* view's hue is rotated (the teacher's views included). Zero keeps
  /// hue a feature the targets encode; above zero, two views of one image can no longer be
  /// matched by colour alone, so the targets must come from shape, layout and style.
  public var globalHue: Float = 0

  public init() {}

  /// Throws a ConfigError naming the first bad key under `prefix`.
  func validate(prefix: String) throws {
    for (key, v) in [("probability", probability), ("greyscale", greyscale), ("localHue", localHue), ("globalHue", globalHue)] {
      try require(v >= 0 && v <= 1, "\(prefix).\(key)", "must be in [0, 1], got \(v)")
    }
    for (key, v) in [("brightness", brightness), ("contrast", contrast), ("saturation", saturation)] {
      try require(v >= 0 && v < 1, "\(prefix).\(key)", "must be in [0, 1), got \(v)")
    }
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

  /// Jitters a planar (3, S, S) view in [−1, 1] in place, as torchvision's ColorJitter
  /// (brightness, contrast, saturation in that fixed order, hue never) then RandomGrayscale.
  /// Every random draw happens whether or not it is used, so the stream stays aligned.
  /// A local view (`local`) may also have its hue rotated (see `localHue`).
  public static func jitter(_ x: UnsafeMutableBufferPointer<Float>, size S: Int, config c: ColourJitterConfig, local: Bool,
                            rng: inout RNG) {
    let apply = rng.uniform() < c.probability
    let b = rng.uniform(1 - c.brightness, 1 + c.brightness)
    let k = rng.uniform(1 - c.contrast, 1 + c.contrast)
    let s = rng.uniform(1 - c.saturation, 1 + c.saturation)
    let grey = rng.uniform() < c.greyscale
    // A global view draws only when globalHue is on, so runs without it keep their stream.
    let rotate = local ? rng.uniform() < c.localHue : (c.globalHue > 0 && rng.uniform() < c.globalHue)
    let angle = rng.uniform(0, 2 * Float.pi)
    guard apply || grey || rotate, let p = x.baseAddress else { return }
    let plane = S * S
    // Work in [0, 1] as torchvision does, clamping after each step.
    func clamp(_ v: Float) -> Float { min(max(v, 0), 1) }
    func luma(_ i: Int) -> Float { 0.299 * p[i] + 0.587 * p[plane + i] + 0.114 * p[2 * plane + i] }
    for i in 0..<(3 * plane) { p[i] = (p[i] + 1) * 0.5 }
    if rotate {
      // Rotation about the grey axis (1, 1, 1)/√3 by `angle` (Rodrigues): greys stay grey,
      // lightness is kept, hue turns by `angle`.
      let cs = Foundation.cos(angle), sn = Foundation.sin(angle), t = (1 - cs) / 3, q = sn / Float(3).squareRoot()
      let m: [Float] = [cs + t, t - q, t + q,
                        t + q, cs + t, t - q,
                        t - q, t + q, cs + t]
      for i in 0..<plane {
        let r = p[i], g = p[plane + i], bl = p[2 * plane + i]
        p[i] = clamp(m[0] * r + m[1] * g + m[2] * bl)
        p[plane + i] = clamp(m[3] * r + m[4] * g + m[5] * bl)
        p[2 * plane + i] = clamp(m[6] * r + m[7] * g + m[8] * bl)
      }
    }
    if apply {
      for i in 0..<(3 * plane) { p[i] = clamp(p[i] * b) }
      var mean: Float = 0
      for i in 0..<plane { mean += luma(i) }
      mean /= Float(plane)
      for i in 0..<(3 * plane) { p[i] = clamp(mean + k * (p[i] - mean)) }
      for i in 0..<plane {
        let l = luma(i)
        for ch in 0..<3 { p[ch * plane + i] = clamp(l + s * (p[ch * plane + i] - l)) }
      }
    }
    if grey {
      for i in 0..<plane {
        let l = luma(i)
        for ch in 0..<3 { p[ch * plane + i] = l }
      }
    }
    for i in 0..<(3 * plane) { p[i] = p[i] * 2 - 1 }
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
            // Paste draws only when it is on, so runs without it keep their stream.
            let pasted = !local && crops.paste > 0 && r.uniform() < crops.paste
              && ObjectPaste.view(src, size: S, scale: crops.pasteScale, flip: crops.flip, rng: &r, into: out)
            if !pasted {
              MultiCrop.crop(src, size: S, scale: local ? crops.localScale : crops.globalScale, aspect: crops.aspect,
                             flip: crops.flip, rng: &r, into: out)
            }
            MultiCrop.jitter(out, size: S, config: crops.colour, local: local, rng: &r)
          }
        }
      }
    }
    return MultiCropBatch(views: views)
  }
}
