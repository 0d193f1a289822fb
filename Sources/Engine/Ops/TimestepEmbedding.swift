import Foundation

extension Graph {
  /// Sinusoidal embedding of per-sample times, DiT's `TimestepEmbedder.timestep_embedding`.
  ///
  /// t (B) → (B, dim): with half = dim/2 and freq_i = exp(−ln(maxPeriod)·i/half),
  /// the row is [cos(scale·t·freq_0 …), sin(scale·t·freq_0 …)] (cosines first, as DiT).
  /// Times are data, so no gradient flows; the MLP that follows is what learns.
  public func timestepEmbedding(_ t: Tensor, dim: Int, scale: Float = 1000, maxPeriod: Float = 10_000) -> Tensor {
    let B = t.count, half = dim / 2
    let y = output(Shape(B, dim), grad: false)
    y.data.initialize(repeating: 0, count: B * dim)  // an odd dim leaves its last column 0
    for b in 0..<B {
      for i in 0..<half {
        let freq = Foundation.exp(-Foundation.log(Double(maxPeriod)) * Double(i) / Double(half))
        let arg = Double(scale) * Double(t.data[b]) * freq
        y.data[b * dim + i] = Float(Foundation.cos(arg))
        y.data[b * dim + half + i] = Float(Foundation.sin(arg))
      }
    }
    return y
  }
}
