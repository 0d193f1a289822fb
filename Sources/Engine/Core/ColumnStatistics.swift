/// Per-column mean and inverse standard deviation of a row-major (N, D) matrix: what
/// standardising features to mean 0 and standard deviation 1 needs. Sums run in Double, so
/// many rows of similar values lose no precision.
public struct ColumnStatistics: Sendable, Equatable {
  /// Mean of each column (D).
  public var mean: [Float]
  /// 1 / max(std, floor) of each column (D); the floor keeps a constant column finite.
  public var inverseStd: [Float]

  /// Statistics of `values` (rows, columns), population variance.
  public init(_ values: [Float], rows N: Int, columns D: Int, stdFloor: Double) {
    precondition(values.count == N * D && N > 0, "ColumnStatistics: \(values.count) values for \(N)×\(D)")
    mean = [Float](repeating: 0, count: D)
    inverseStd = [Float](repeating: 1, count: D)
    for d in 0..<D {
      var s = 0.0, s2 = 0.0
      for n in 0..<N {
        let v = Double(values[n * D + d])
        s += v
        s2 += v * v
      }
      let mu = s / Double(N)
      mean[d] = Float(mu)
      inverseStd[d] = Float(1 / max((s2 / Double(N) - mu * mu).squareRoot(), stdFloor))
    }
  }

  /// `values` (rows, D) standardised with these statistics.
  public func standardised(_ values: [Float]) -> [Float] {
    let D = mean.count
    return values.enumerated().map { ($0.element - mean[$0.offset % D]) * inverseStd[$0.offset % D] }
  }
}
