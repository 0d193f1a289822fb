// Signed distance functions for the six shapes, in pixels (negative inside), after Inigo
// Quilez's exact 2D distance functions. Every shape is parameterised by one nominal radius r so
// the renderer can size them alike; `boundingRadius` is the circle that contains the shape, used
// for placement without overlap. Local coordinates have y pointing UP (the renderer flips image
// rows), so triangles and stars point up at rotation 0.

import Foundation

/// Geometry of the six shapes as signed distance functions of a nominal radius.
public enum SDF {
  /// Square half-side in units of r (so a square's area is close to a circle's).
  static let squareHalfSide: Float = 0.85
  /// Triangle circumradius in units of r.
  static let triangleCircumradius: Float = 1.3
  /// Cross arm half-length and half-width in units of r.
  static let crossArm = SIMD2<Float>(1.05, 0.36)
  /// Ring half-thickness in units of r (outer edge at r, centre line at r minus it), and its
  /// floor in pixels.
  static let ringHalfWidth: Float = 0.30
  static let ringMinHalfWidth: Float = 0.9
  /// Star outer radius in units of r, and the inner-vertex factor of the 5-pointed star.
  static let starOuter: Float = 1.25
  static let starInner: Float = 0.5

  /// The radius of the smallest centred circle containing the shape, in units of r.
  public static func boundingFactor(_ shape: ShapeKind) -> Float {
    switch shape {
    case .circle, .ring: return 1
    case .square: return squareHalfSide * Float(2).squareRoot()
    case .triangle: return triangleCircumradius
    case .cross: return (crossArm * crossArm).sum().squareRoot()
    case .star: return starOuter
    }
  }

  /// Signed distance from local point `p` (pixels, shape centred at the origin, y up) to a
  /// shape of nominal radius `r`.
  @inline(__always)
  public static func distance(_ shape: ShapeKind, _ p: SIMD2<Float>, radius r: Float) -> Float {
    switch shape {
    case .circle: return length(p) - r
    case .square: return box(p, half: SIMD2(repeating: squareHalfSide * r))
    case .triangle: return equilateralTriangle(p, circumradius: triangleCircumradius * r)
    case .cross: return cross(p, arm: crossArm * r)
    case .ring:
      // At least 1.8 px thick so a small ring stays one connected band of pixels; the outer
      // edge stays at r (a very small ring closes into a disc).
      let half = max(ringHalfWidth * r, ringMinHalfWidth)
      return abs(length(p) - (r - half)) - half
    case .star: return star5(p, radius: starOuter * r, innerFactor: starInner)
    }
  }

  /// Anti-aliased coverage of a pixel whose centre is at signed distance `d` (pixels): a
  /// one-pixel linear ramp centred on the edge.
  @inline(__always)
  public static func coverage(_ d: Float) -> Float {
    min(max(0.5 - d, 0), 1)
  }

  @inline(__always)
  static func length(_ p: SIMD2<Float>) -> Float { (p * p).sum().squareRoot() }

  /// Axis-aligned box with half extents `half`.
  @inline(__always)
  static func box(_ p: SIMD2<Float>, half: SIMD2<Float>) -> Float {
    let d = SIMD2(abs(p.x), abs(p.y)) - half
    let outside = SIMD2(max(d.x, 0), max(d.y, 0))
    return length(outside) + min(max(d.x, d.y), 0)
  }

  /// Equilateral triangle centred on its centroid, one vertex straight up.
  @inline(__always)
  static func equilateralTriangle(_ point: SIMD2<Float>, circumradius: Float) -> Float {
    let k: Float = 1.7320508  // sqrt(3)
    let half = circumradius * k / 2  // half the side length
    var p = SIMD2(abs(point.x) - half, point.y + half / k)
    if p.x + k * p.y > 0 { p = SIMD2(p.x - k * p.y, -k * p.x - p.y) / 2 }
    p.x -= min(max(p.x, -2 * half), 0)
    let l = length(p)
    return p.y > 0 ? -l : l
  }

  /// Plus sign: two bars of half-length arm.x and half-width arm.y.
  @inline(__always)
  static func cross(_ point: SIMD2<Float>, arm: SIMD2<Float>) -> Float {
    var p = SIMD2(abs(point.x), abs(point.y))
    if p.y > p.x { p = SIMD2(p.y, p.x) }
    let q = p - arm
    let k = max(q.y, q.x)
    let w = k > 0 ? q : SIMD2(arm.y - p.x, -k)
    let l = length(SIMD2(max(w.x, 0), max(w.y, 0)))
    return k > 0 ? l : -l
  }

  /// Regular five-pointed star with outer radius `radius`, one point straight up.
  @inline(__always)
  static func star5(_ point: SIMD2<Float>, radius: Float, innerFactor: Float) -> Float {
    let k1 = SIMD2<Float>(0.809016994375, -0.587785252292)
    let k2 = SIMD2<Float>(-k1.x, k1.y)
    var p = SIMD2(abs(point.x), point.y)
    p -= 2 * max((k1 * p).sum(), 0) * k1
    p -= 2 * max((k2 * p).sum(), 0) * k2
    p.x = abs(p.x)
    p.y -= radius
    let ba = innerFactor * SIMD2(-k1.y, k1.x) - SIMD2(0, 1)
    let h = min(max((p * ba).sum() / (ba * ba).sum(), 0), radius)
    let l = length(p - ba * h)
    return (p.y * ba.x - p.x * ba.y) > 0 ? l : -l
  }
}
