// Background fills: the default grey, plain colours and the three two-tone patterns. Pattern
// tones are tinted greys (chroma <= 0.06, lightness 0.26...0.60), far from every palette
// colour, so objects stay the only saturated (or black/white) pixels unless a plain colour is
// asked for. Pattern edges are anti-aliased like shapes: a one-pixel ramp across each edge.

import Engine
import Foundation
import Imaging

/// Draws backgrounds for the renderer.
enum Backdrop {
  /// Fills `image` with `background` (nil = default grey) and returns the colours used: one
  /// for a plain fill, two for a pattern (the tone at stripe/checker phase 0 first).
  static func draw(
    _ background: Background?, into image: inout RGBImage, rng: inout RNG
  ) -> [SIMD3<Float>] {
    let size = Float(image.width)
    switch background {
    case nil:
      let grey = SIMD3<Float>(repeating: rng.uniform(0.30, 0.38))
      fill(&image) { _, _ in grey }
      return [grey]
    case .plain(let colour):
      let rgb = colour.jittered(&rng)
      fill(&image) { _, _ in rgb }
      return [rgb]
    case .striped:
      let (a, b) = tones(&rng, lo: 0.26...0.34, step: 0.20...0.26)
      // Near one of four orientations, so stripes read as stripes even at 16 px.
      let angle = Float(rng.int(4)) * .pi / 4 + rng.uniform(-0.17, 0.17)
      let period = max(3, size * rng.uniform(0.2, 0.3))
      let phase = rng.uniform(0, 1)
      let dir = SIMD2(cosf(angle), sinf(angle)) / period
      fill(&image) { x, y in
        let w = bandWeight((SIMD2(x, y) * dir).sum() + phase, period: period)
        return b + w * (a - b)
      }
      return [a, b]
    case .checkered:
      let (a, b) = tones(&rng, lo: 0.26...0.34, step: 0.20...0.26)
      let cell = max(2, size * rng.uniform(0.16, 0.24))
      let offset = SIMD2(rng.uniform(0, 1), rng.uniform(0, 1))
      fill(&image) { x, y in
        let wx = bandWeight(x / (2 * cell) + offset.x, period: 2 * cell)
        let wy = bandWeight(y / (2 * cell) + offset.y, period: 2 * cell)
        let w = wx * (1 - wy) + wy * (1 - wx)  // XOR of two band patterns
        return b + w * (a - b)
      }
      return [a, b]
    case .gradient:
      let (a, b) = tones(&rng, lo: 0.26...0.32, step: 0.22...0.28)
      let angle = rng.uniform(0, 2 * .pi)
      let dir = SIMD2(cosf(angle), sinf(angle))
      // Normalised so the projection spans exactly [0, 1] over the image's corners.
      let span = abs(dir.x) + abs(dir.y)
      fill(&image) { x, y in
        let t = 0.5 + ((SIMD2(x, y) / size - 0.5) * dir).sum() / span
        return a + min(max(t, 0), 1) * (b - a)
      }
      return [a, b]
    }
  }

  /// Two tinted greys of one random hue, `step` apart in lightness, in random order.
  static func tones(
    _ rng: inout RNG, lo: ClosedRange<Float>, step: ClosedRange<Float>
  ) -> (SIMD3<Float>, SIMD3<Float>) {
    let hue = rng.uniform(0, 1)
    let chroma = rng.uniform(0.02, 0.06)
    let dark = rng.uniform(lo.lowerBound, lo.upperBound)
    let light = dark + rng.uniform(step.lowerBound, step.upperBound)
    let a = tintedGrey(level: dark, hue: hue, chroma: chroma)
    let b = tintedGrey(level: light, hue: hue, chroma: chroma)
    return rng.uniform() < 0.5 ? (a, b) : (b, a)
  }

  /// Anti-aliased square wave: 1 in the first half of each period of `t` (in periods), 0 in
  /// the second, with a one-pixel ramp at each edge; `period` is in pixels.
  @inline(__always)
  static func bandWeight(_ t: Float, period: Float) -> Float {
    let u = t - t.rounded(.down)  // in [0, 1)
    // Signed pixel distance to the nearest edge, positive inside the first half.
    let d = u < 0.5 ? min(u, 0.5 - u) * period : -min(u - 0.5, 1 - u) * period
    return min(max(0.5 + d, 0), 1)
  }

  /// Sets every pixel to `colour(x, y)` evaluated at the pixel centre (pixels, y down).
  @inline(__always)
  static func fill(_ image: inout RGBImage, _ colour: (Float, Float) -> SIMD3<Float>) {
    let width = image.width
    let height = image.height
    image.pixels.withUnsafeMutableBufferPointer { buffer in
      guard let p = buffer.baseAddress else { return }
      for y in 0..<height {
        let fy = Float(y) + 0.5
        for x in 0..<width {
          let c = colour(Float(x) + 0.5, fy)
          let q = p + 3 * (y * width + x)
          q[0] = c.x
          q[1] = c.y
          q[2] = c.z
        }
      }
    }
  }
}
