// Reading labels back from pixels, independently of the renderer: colour classification by the
// public palette, centroids and connected components.

import Imaging
import World

/// Pixel-level measurements of a rendered image.
struct PixelProbe {
  let image: RGBImage
  /// A pixel "shows" a colour when that colour is its nearest palette entry and it lies within
  /// this RGB distance of the canonical colour (mostly covered by one object).
  static let threshold: Float = 0.25

  /// The colour a pixel shows, or nil for background-like and mixed pixels.
  func colour(x: Int, y: Int) -> Colour? {
    let p = image[x, y]
    let c = Colour.nearest(to: p)
    let d = c.rgb - p
    return (d * d).sum().squareRoot() < PixelProbe.threshold ? c : nil
  }

  /// Per-pixel colour map, (H, W) row-major.
  func colourMap() -> [Colour?] {
    var out: [Colour?] = []
    out.reserveCapacity(image.width * image.height)
    for y in 0..<image.height {
      for x in 0..<image.width { out.append(colour(x: x, y: y)) }
    }
    return out
  }

  /// Pixels (x, y) showing `colour`.
  func pixels(of colour: Colour) -> [(x: Int, y: Int)] {
    var out: [(x: Int, y: Int)] = []
    for y in 0..<image.height {
      for x in 0..<image.width where self.colour(x: x, y: y) == colour { out.append((x, y)) }
    }
    return out
  }

  /// Centroid in pixel coordinates (pixel centres at i + 0.5) of `pixels`.
  static func centroid(_ pixels: [(x: Int, y: Int)]) -> SIMD2<Float>? {
    guard !pixels.isEmpty else { return nil }
    var sum = SIMD2<Float>.zero
    for p in pixels { sum += SIMD2(Float(p.x) + 0.5, Float(p.y) + 0.5) }
    return sum / Float(pixels.count)
  }

  /// Number of 8-connected components among pixels showing `colour` (flood fill).
  func components(of colour: Colour) -> Int {
    let (w, h) = (image.width, image.height)
    let map = colourMap()
    var seen = [Bool](repeating: false, count: w * h)
    var count = 0
    for start in 0..<(w * h) where map[start] == colour && !seen[start] {
      count += 1
      var stack = [start]
      seen[start] = true
      while let i = stack.popLast() {
        let (x, y) = (i % w, i / w)
        for dy in -1...1 {
          for dx in -1...1 {
            let (nx, ny) = (x + dx, y + dy)
            guard nx >= 0, nx < w, ny >= 0, ny < h else { continue }
            let j = ny * w + nx
            if !seen[j] && map[j] == colour {
              seen[j] = true
              stack.append(j)
            }
          }
        }
      }
    }
    return count
  }
}

/// Mean absolute difference per channel value between two images of one size.
func meanAbsDiff(_ a: RGBImage, _ b: RGBImage) -> Float {
  precondition(a.pixels.count == b.pixels.count)
  var sum: Float = 0
  for i in a.pixels.indices { sum += abs(a.pixels[i] - b.pixels[i]) }
  return sum / Float(max(a.pixels.count, 1))
}

/// Whether an anti-aliased fringe between two of `sources` (background tones, other objects'
/// colours) can show `colour`: some blend of two sources lies within the probe threshold of it
/// (red over yellow shows orange, blue over red shows purple). Such colours cannot be counted
/// or located from pixels alone.
func blendCanFake(_ colour: Colour, sources: [SIMD3<Float>]) -> Bool {
  let target = colour.rgb
  for (i, a) in sources.enumerated() {
    for b in sources[(i + 1)...] {
      let ab = b - a
      let length2 = (ab * ab).sum()
      let t = length2 > 0 ? min(max(((target - a) * ab).sum() / length2, 0), 1) : 0
      let d = a + t * ab - target
      // Endpoints themselves are real colours, not fringes; only true mixtures count.
      if t > 0.05 && t < 0.95 && (d * d).sum().squareRoot() < PixelProbe.threshold + 0.03 {
        return true
      }
    }
  }
  return false
}
