import Foundation

/// The Fréchet distance between two feature sets, each fitted by a Gaussian:
///   ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2·(Σ₁Σ₂)^{1/2})
/// (FID's formula, on our backbone's features instead of Inception's). The trace of the
/// matrix square root is Σ √λ over the eigenvalues of Σ₁^{1/2} Σ₂ Σ₁^{1/2}, which is symmetric,
/// so a Jacobi eigen-solver in Double suffices for our 128 dimensions.
public enum FrechetDistance {
  /// features (N, d) row-major for each set.
  public static func between(_ a: [Float], _ b: [Float], dim d: Int) -> Double {
    let (ma, ca) = moments(a, d), (mb, cb) = moments(b, d)
    var meanTerm = 0.0
    for i in 0..<d { meanTerm += (ma[i] - mb[i]) * (ma[i] - mb[i]) }
    let rootA = symmetricSqrt(ca, d)
    let m = multiply(multiply(rootA, cb, d), rootA, d)
    let (eigen, _) = jacobiEigen(m, d)
    let traceSqrt = eigen.reduce(0) { $0 + max($1, 0).squareRoot() }
    var trace = 0.0
    for i in 0..<d { trace += ca[i * d + i] + cb[i * d + i] }
    return max(0, meanTerm + trace - 2 * traceSqrt)
  }

  /// Mean and (biased) covariance of rows.
  static func moments(_ x: [Float], _ d: Int) -> ([Double], [Double]) {
    let n = x.count / d
    var mu = [Double](repeating: 0, count: d)
    for r in 0..<n { for i in 0..<d { mu[i] += Double(x[r * d + i]) } }
    for i in 0..<d { mu[i] /= Double(max(n, 1)) }
    var cov = [Double](repeating: 0, count: d * d)
    for r in 0..<n {
      for i in 0..<d {
        let xi = Double(x[r * d + i]) - mu[i]
        for j in i..<d { cov[i * d + j] += xi * (Double(x[r * d + j]) - mu[j]) }
      }
    }
    for i in 0..<d {
      for j in i..<d {
        cov[i * d + j] /= Double(max(n, 1))
        cov[j * d + i] = cov[i * d + j]
      }
    }
    return (mu, cov)
  }

  static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
    var c = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
      for k in 0..<d {
        let aik = a[i * d + k]
        if aik == 0 { continue }
        for j in 0..<d { c[i * d + j] += aik * b[k * d + j] }
      }
    }
    return c
  }

  /// S^{1/2} of a symmetric positive semi-definite matrix: V·√Λ·Vᵀ.
  static func symmetricSqrt(_ s: [Double], _ d: Int) -> [Double] {
    let (values, vectors) = jacobiEigen(s, d)
    var out = [Double](repeating: 0, count: d * d)
    for k in 0..<d {
      let r = max(values[k], 0).squareRoot()
      if r == 0 { continue }
      for i in 0..<d {
        let vik = vectors[i * d + k] * r
        for j in 0..<d { out[i * d + j] += vik * vectors[j * d + k] }
      }
    }
    return out
  }

  /// Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations.
  static func jacobiEigen(_ m: [Double], _ d: Int, sweeps: Int = 30) -> ([Double], [Double]) {
    var a = m
    var v = [Double](repeating: 0, count: d * d)
    for i in 0..<d { v[i * d + i] = 1 }
    for _ in 0..<sweeps {
      var off = 0.0
      for p in 0..<d { for q in (p + 1)..<d { off += a[p * d + q] * a[p * d + q] } }
      if off < 1e-22 { break }
      for p in 0..<d {
        for q in (p + 1)..<d {
          let apq = a[p * d + q]
          if abs(apq) < 1e-300 { continue }
          let theta = (a[q * d + q] - a[p * d + p]) / (2 * apq)
          let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
          let cs = 1 / (t * t + 1).squareRoot(), sn = t * cs
          for k in 0..<d {
            let akp = a[k * d + p], akq = a[k * d + q]
            a[k * d + p] = cs * akp - sn * akq
            a[k * d + q] = sn * akp + cs * akq
          }
          for k in 0..<d {
            let apk = a[p * d + k], aqk = a[q * d + k]
            a[p * d + k] = cs * apk - sn * aqk
            a[q * d + k] = sn * apk + cs * aqk
          }
          for k in 0..<d {
            let vkp = v[k * d + p], vkq = v[k * d + q]
            v[k * d + p] = cs * vkp - sn * vkq
            v[k * d + q] = sn * vkp + cs * vkq
          }
        }
      }
    }
    return ((0..<d).map { a[$0 * d + $0] }, v)
  }
}
