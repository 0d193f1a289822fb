// Synthetic degradations for the quality regressor (the "aesthetic" term): blur, noise,
// blockiness and colour cast, each a deterministic function of (image, severity, seed) with
// severity in [0, 1] (0 = identity). For a fixed seed the damage grows monotonically with
// severity: blur widens its kernel, noise scales one fixed noise field, blockiness and colour
// cast blend linearly toward a fixed target, and clamping to [0, 1] preserves the order.

import Engine
import Foundation
import Imaging

/// One kind of image damage.
public enum Degradation: String, CaseIterable, Codable, Hashable, Sendable {
  case blur, noise, blockiness
  case colourCast = "colour-cast"

  /// The damaged image; `severity` is clamped to [0, 1], `seed` fixes noise and cast direction.
  public func apply(to image: RGBImage, severity: Float, seed: UInt64) -> RGBImage {
    let s = min(max(severity, 0), 1)
    guard s > 0, image.width > 0, image.height > 0 else { return image }
    let k = Float(image.width) / 32
    var rng = RNG(seed: seed).stream(UInt64(Degradation.allCases.firstIndex(of: self) ?? 0))
    switch self {
    case .blur:
      // Up to sigma = 2 px at 32 px: clearly out of focus, shapes still recognisable.
      return ImageOps.blur(image, sigma: 2 * k * s)
    case .noise:
      let noise = rng.normals(image.pixels.count, std: 0.25 * s)
      var out = image
      out.pixels.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] = min(max(p[i] + noise[i], 0), 1) }
      }
      return out
    case .blockiness:
      return ImageOps.blend(
        image, Degradation.blockAverage(image, block: max(3, image.width / 8)), s)
    case .colourCast:
      // A random hue direction; the cast multiplies channels and lifts one side, like a bad
      // white balance.
      let hue = rng.uniform(0, 1)
      let tint = hueTint(hue)  // zero-mean channel weights
      var target = image
      target.pixels.withUnsafeMutableBufferPointer { p in
        for i in 0..<(p.count / 3) {
          for c in 0..<3 {
            p[3 * i + c] = min(max(p[3 * i + c] * (1 + 0.5 * tint[c]) + 0.15 * tint[c], 0), 1)
          }
        }
      }
      return ImageOps.blend(image, target, s)
    }
  }

  /// JPEG-like blocks: every block x block tile replaced by its mean colour.
  static func blockAverage(_ image: RGBImage, block: Int) -> RGBImage {
    let (w, h) = (image.width, image.height)
    var out = image
    image.pixels.withUnsafeBufferPointer { src in
      out.pixels.withUnsafeMutableBufferPointer { dst in
        for by in stride(from: 0, to: h, by: block) {
          for bx in stride(from: 0, to: w, by: block) {
            let (x1, y1) = (min(bx + block, w), min(by + block, h))
            var sum = SIMD3<Float>.zero
            for y in by..<y1 {
              for x in bx..<x1 {
                let i = 3 * (y * w + x)
                sum += SIMD3(src[i], src[i + 1], src[i + 2])
              }
            }
            let mean = sum / Float((x1 - bx) * (y1 - by))
            for y in by..<y1 {
              for x in bx..<x1 {
                let i = 3 * (y * w + x)
                dst[i] = mean.x
                dst[i + 1] = mean.y
                dst[i + 2] = mean.z
              }
            }
          }
        }
      }
    }
    return out
  }
}

/// A combination of degradations: one severity per `Degradation.allCases` entry, the
/// quality regressor's target vector.
public struct DegradationMix: Codable, Equatable, Sendable {
  /// Severity in [0, 1] per degradation, in `Degradation.allCases` order.
  public var severities: [Float]

  /// Creates a mix; missing entries are 0, extra entries are dropped.
  public init(severities: [Float]) {
    let n = Degradation.allCases.count
    self.severities = Array((severities + [Float](repeating: 0, count: n)).prefix(n)).map {
      min(max($0, 0), 1)
    }
  }

  /// No damage at all.
  public static let clean = DegradationMix(severities: [])

  /// The severity of one degradation.
  public subscript(kind: Degradation) -> Float {
    severities[Degradation.allCases.firstIndex(of: kind) ?? 0]
  }

  /// A random mix: each degradation is present with probability `probability`, with a
  /// severity uniform in [0.1, 1]; deterministic in `seed`.
  public static func random(seed: UInt64, probability: Float = 0.5) -> DegradationMix {
    var rng = RNG(seed: seed).stream(10)
    return DegradationMix(
      severities: Degradation.allCases.map { _ in
        let present = rng.uniform() < probability
        let severity = rng.uniform(0.1, 1)
        return present ? severity : 0
      })
  }

  /// Applies every present degradation in camera order (colour cast, blur, blockiness, noise),
  /// each with its own sub-seed of `seed`.
  public func apply(to image: RGBImage, seed: UInt64) -> RGBImage {
    let root = RNG(seed: seed)
    var out = image
    for kind in [Degradation.colourCast, .blur, .blockiness, .noise] {
      let severity = self[kind]
      if severity > 0 {
        let index = UInt64(Degradation.allCases.firstIndex(of: kind) ?? 0)
        out = kind.apply(to: out, severity: severity, seed: root.stream(index).key)
      }
    }
    return out
  }
}
