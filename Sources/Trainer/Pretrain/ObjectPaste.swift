import Engine
import Foundation
import Models

// A label-free augmentation that leaves two views of an image only their object in common.
// Crops, flips and colour jitter keep the object's position, size and surroundings close
// between two views, so instance contrast can pick a view's partner by where the object sits
// and what lies behind it, and never has to look at its outline. Here the object is cut out
// by the same fixed rule the judges' mask channel uses (distance from the median border
// colour, which is the background for plain grounds), turned by a random angle, rescaled,
// moved to a random place and laid over a flat ground of a random colour. What survives the
// trip is the outline, the count and the style's texture inside the object; no label is read.

/// Cut, turn, rescale, move and paste of an image's foreground onto a new flat ground.
public enum ObjectPaste {
  /// Foreground opacity from the distance d (RGB, Euclidean, in [−1, 1] units) to the border
  /// median: 0 below `lo`, 1 above `lo + ramp`, linear between (soft, for anti-aliased edges).
  static let (lo, ramp): (Float, Float) = (0.15, 0.25)

  /// Writes the pasted view of `src` (3, S, S) in [−1, 1] into `out` (3, S, S). Returns false
  /// and leaves `out` alone when the image has no foreground (nothing differs from its
  /// border), so the caller can fall back to a crop. Scale is drawn from `scale` [lo, hi].
  public static func view(_ src: UnsafeBufferPointer<Float>, size S: Int, scale: [Float], flip: Float, rng: inout RNG,
                          into out: UnsafeMutableBufferPointer<Float>) -> Bool {
    // Every draw happens up front, so the stream does not depend on the image.
    let angle = rng.uniform(0, 2 * Float.pi), s = rng.uniform(scale[0], scale[1])
    let nx = rng.uniform(0.3, 0.7) * Float(S), ny = rng.uniform(0.3, 0.7) * Float(S)
    let ground = (0..<3).map { _ in rng.uniform(-1, 1) }
    let flipped = rng.uniform() < flip
    guard let p = src.baseAddress, let o = out.baseAddress else { return false }
    let plane = S * S
    let bg = (0..<3).map { ImageFeatures.borderMedian(p + $0 * plane, size: S) }
    var alpha = [Float](repeating: 0, count: plane)  // (S, S)
    var mass: Float = 0, cx: Float = 0, cy: Float = 0
    for y in 0..<S {
      for x in 0..<S {
        var d2: Float = 0
        for c in 0..<3 { let v = p[c * plane + y * S + x] - bg[c]; d2 += v * v }
        let a = min(max((d2.squareRoot() - lo) / ramp, 0), 1)
        alpha[y * S + x] = a
        mass += a
        cx += a * Float(x)
        cy += a * Float(y)
      }
    }
    guard mass >= 1 else { return false }
    (cx, cy) = (cx / mass, cy / mass)
    // Output pixel (x, y) reads the source at R(−θ)·((x, y) − new centre)/s + old centre.
    let cs = Foundation.cos(angle) / s, sn = Foundation.sin(angle) / s
    for y in 0..<S {
      for x in 0..<S {
        let dx = Float(flipped ? S - 1 - x : x) - nx, dy = Float(y) - ny
        let sx = cs * dx + sn * dy + cx, sy = -sn * dx + cs * dy + cy
        let (a, colour) = sample(p, alpha, size: S, x: sx, y: sy)
        for c in 0..<3 { o[c * plane + y * S + x] = ground[c] + a * (colour[c] - ground[c]) }
      }
    }
    return true
  }

  /// Bilinear opacity and opacity-weighted colour at (x, y); outside the image the opacity is 0.
  private static func sample(_ p: UnsafePointer<Float>, _ alpha: [Float], size S: Int, x: Float, y: Float) -> (Float, SIMD3<Float>) {
    let x0 = Int(Foundation.floor(x)), y0 = Int(Foundation.floor(y))
    let fx = x - Float(x0), fy = y - Float(y0), plane = S * S
    var a: Float = 0, colour = SIMD3<Float>(0, 0, 0)
    // The four neighbours, without building arrays per pixel (this runs for every pixel of
    // every pasted view).
    for k in 0..<4 {
      let yy = y0 + k / 2, xx = x0 + k % 2
      guard yy >= 0 && yy < S && xx >= 0 && xx < S else { continue }
      let wy = k / 2 == 0 ? 1 - fy : fy, wx = k % 2 == 0 ? 1 - fx : fx
      let i = yy * S + xx, w = wx * wy * alpha[i]
      a += w
      colour += w * SIMD3(p[i], p[plane + i], p[2 * plane + i])
    }
    return a > 1e-6 ? (min(a, 1), colour / a) : (0, colour)
  }
}
