// Canonical RGB for the ten colour words, nearest-colour lookup and the per-seed colour jitter.
// The palette is chosen so every pair is at least ~0.38 apart in RGB (orange/yellow are the
// closest pair), and so every colour is far from the grey-ish backgrounds the renderer uses by
// default; the jitter stays small enough that a jittered colour is always still nearest to its
// own word.

import Engine
import Foundation

extension Colour {
  /// Canonical RGB in [0, 1].
  public var rgb: SIMD3<Float> {
    switch self {
    case .red: return SIMD3(0.90, 0.10, 0.10)
    case .orange: return SIMD3(1.00, 0.55, 0.00)
    case .yellow: return SIMD3(1.00, 0.92, 0.10)
    case .green: return SIMD3(0.10, 0.75, 0.15)
    case .cyan: return SIMD3(0.05, 0.85, 0.90)
    case .blue: return SIMD3(0.10, 0.25, 0.95)
    case .purple: return SIMD3(0.55, 0.15, 0.80)
    case .pink: return SIMD3(1.00, 0.50, 0.75)
    case .white: return SIMD3(0.97, 0.97, 0.97)
    case .black: return SIMD3(0.05, 0.05, 0.05)
    }
  }

  /// The colour word whose canonical RGB is nearest (Euclidean) to `rgb`.
  public static func nearest(to rgb: SIMD3<Float>) -> Colour {
    var best = Colour.red
    var bestDistance = Float.infinity
    for colour in allCases {
      let d = colour.rgb - rgb
      let distance = (d * d).sum()
      if distance < bestDistance {
        best = colour
        bestDistance = distance
      }
    }
    return best
  }

  /// The canonical RGB with a small hue, saturation and value jitter drawn from `rng`.
  ///
  /// Hue moves by at most 5 degrees, saturation and value shrink by at most 8% and 6%; the
  /// result is re-checked with `nearest(to:)` and falls back to the canonical RGB if it would
  /// ever be named differently, so labels stay truthful.
  public func jittered(_ rng: inout RNG) -> SIMD3<Float> {
    var hsv = HSV(rgb: rgb)
    hsv.hue = (hsv.hue + rng.uniform(-5, 5) / 360 + 1).truncatingRemainder(dividingBy: 1)
    hsv.saturation *= rng.uniform(0.92, 1)
    hsv.value *= rng.uniform(0.94, 1)
    let out = hsv.rgb
    return Colour.nearest(to: out) == self ? out : rgb
  }
}

/// Hue, saturation, value with every component in [0, 1] (hue in turns, 0 = red).
struct HSV {
  var hue: Float
  var saturation: Float
  var value: Float

  /// Converts from RGB in [0, 1].
  init(rgb: SIMD3<Float>) {
    let maxC = rgb.max()
    let minC = rgb.min()
    let delta = maxC - minC
    value = maxC
    saturation = maxC > 0 ? delta / maxC : 0
    guard delta > 1e-6 else {
      hue = 0
      return
    }
    var h: Float
    if maxC == rgb.x {
      h = (rgb.y - rgb.z) / delta
    } else if maxC == rgb.y {
      h = 2 + (rgb.z - rgb.x) / delta
    } else {
      h = 4 + (rgb.x - rgb.y) / delta
    }
    h /= 6
    hue = h < 0 ? h + 1 : h
  }

  /// Creates from components (hue in turns).
  init(hue: Float, saturation: Float, value: Float) {
    self.hue = hue
    self.saturation = saturation
    self.value = value
  }

  /// The RGB colour, each channel in [0, 1].
  var rgb: SIMD3<Float> {
    let s = min(max(saturation, 0), 1)
    let v = min(max(value, 0), 1)
    var h = hue.truncatingRemainder(dividingBy: 1)
    if h < 0 { h += 1 }
    let scaled = h * 6
    let sector = min(Int(scaled), 5)
    let f = scaled - Float(sector)
    let p = v * (1 - s)
    let q = v * (1 - s * f)
    let t = v * (1 - s * (1 - f))
    switch sector {
    case 0: return SIMD3(v, t, p)
    case 1: return SIMD3(q, v, p)
    case 2: return SIMD3(p, v, t)
    case 3: return SIMD3(p, q, v)
    case 4: return SIMD3(t, p, v)
    default: return SIMD3(v, p, q)
    }
  }
}

/// Rec. 601 luma of an RGB colour.
@inline(__always)
func luma(_ c: SIMD3<Float>) -> Float {
  0.299 * c.x + 0.587 * c.y + 0.114 * c.z
}

/// A zero-mean, unit-amplitude channel weighting pointing at `hue` (turns): cosines of the
/// hue angle against the three primaries, which sum to zero so adding it keeps lightness.
func hueTint(_ hue: Float) -> SIMD3<Float> {
  let angle = 2 * Float.pi * hue
  let third = 2 * Float.pi / 3
  return SIMD3(cosf(angle), cosf(angle - third), cosf(angle + third))
}

/// A grey of lightness `level` tinted toward `hue` (turns) by `chroma`. Used for the muted
/// default and pattern backgrounds.
func tintedGrey(level: Float, hue: Float, chroma: Float) -> SIMD3<Float> {
  (SIMD3(repeating: level) + chroma * hueTint(hue)).clamped(
    lowerBound: SIMD3(repeating: 0), upperBound: SIMD3(repeating: 1))
}
