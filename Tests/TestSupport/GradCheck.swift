import Foundation
import Engine

/// The outcome of comparing an op's backward with central finite differences.
public struct GradCheckResult: CustomStringConvertible {
  /// ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖, tiny), per input.
  public let relativeErrors: [Double]
  /// The same measure over every input at once.
  public var worst: Double { relativeErrors.max() ?? 0 }
  public var description: String { relativeErrors.map { String(format: "%.2e", $0) }.joined(separator: ", ") }
}

/// Checks every input's gradient of `build` against central differences.
///
/// The output is reduced to a scalar by a fixed random projection L = Σ out·R (llm.c's
/// "fake loss"), so every output element's gradient path is exercised with a different
/// weight. Numeric derivatives perturb one input element at a time by ±eps and evaluate L in
/// Double. Inputs are leaves that want gradients; data that must not be differentiated
/// (targets, masks) should be made inside `build` with `g.constant`.
public func gradCheck(
  inputs: [(values: [Float], shape: Shape)], eps: Float = 1e-2, seed: UInt64 = 7,
  build: (Graph, [Tensor]) -> Tensor
) -> GradCheckResult {
  let g = Graph()
  // Analytic: backward of Σ out·R.
  let leaves = inputs.map { g.leaf($0.values, $0.shape) }
  let out = build(g, leaves)
  var rng = RNG(seed: seed)
  let projection = rng.normals(out.count)
  let loss = g.sum(g.mul(out, g.constant(projection, out.shape)))
  g.backward(from: loss)
  let analytic = leaves.map { $0.gradArray() }

  // Numeric: the same projection, one perturbed element at a time, no tape.
  func projected(_ values: [[Float]]) -> Double {
    let h = Graph()
    h.recording = false
    let ts = zip(values, inputs).map { h.constant($0.0, $0.1.shape) }
    let o = build(h, ts)
    var s = 0.0
    for i in 0..<o.count { s += Double(o.data[i]) * Double(projection[i]) }
    return s
  }
  var current = inputs.map(\.values)
  var errors: [Double] = []
  for k in inputs.indices {
    var diff2 = 0.0, a2 = 0.0, n2 = 0.0
    for i in 0..<inputs[k].values.count {
      let x = current[k][i]
      current[k][i] = x + eps
      let up = projected(current)
      current[k][i] = x - eps
      let down = projected(current)
      current[k][i] = x
      let numeric = (up - down) / (2 * Double(eps))
      let a = Double(analytic[k][i])
      diff2 += (a - numeric) * (a - numeric)
      a2 += a * a
      n2 += numeric * numeric
    }
    errors.append(diff2.squareRoot() / max(a2.squareRoot(), n2.squareRoot(), 1e-6))
  }
  return GradCheckResult(relativeErrors: errors)
}

/// Seeded values in [-scale, scale) (uniform) for test inputs.
public func seededUniform(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
  var rng = RNG(seed: seed)
  return (0..<count).map { _ in rng.uniform(-scale, scale) }
}

/// Seeded standard normals times `std`.
public func seededNormal(_ count: Int, seed: UInt64, std: Float = 1) -> [Float] {
  var rng = RNG(seed: seed)
  return rng.normals(count, std: std)
}

/// The largest absolute difference between two arrays of the same length.
public func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
  precondition(a.count == b.count, "maxAbsDiff: \(a.count) vs \(b.count)")
  return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
