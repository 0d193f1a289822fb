extension Graph {
  /// Layer normalisation over the last dimension, with optional affine γ, β (C).
  ///
  /// x (N, C) → y (N, C). Saves mean and 1/σ per row (N) for backward, as llm.c does.
  /// DiT's adaLN blocks use it without affine (γ, β come from the conditioning instead).
  public func layerNorm(_ x: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil, eps: Float = 1e-6) -> Tensor {
    let C = x.shape.last, N = x.shape.rows
    let needsGrad = x.requiresGrad || (gamma?.requiresGrad ?? false) || (beta?.requiresGrad ?? false)
    let y = output(x.shape, grad: needsGrad)
    let mean = scratch(N), rstd = scratch(N)
    let invC = 1 / Float(C)
    for n in 0..<N {
      let xr = x.data + n * C, yr = y.data + n * C
      let m = vectorSum(xr, C) * invC
      // Two passes: the variance of centred values is exact where E[x²]-m² would cancel.
      var v = SIMD8<Float>()
      var c = 0
      while c + 8 <= C {
        let d = FastMath.load(xr + c) - m
        v += d * d
        c += 8
      }
      var vs = v.sum()
      while c < C {
        let d = xr[c] - m
        vs += d * d
        c += 1
      }
      let rs = 1 / (vs * invC + eps).squareRoot()
      mean[n] = m
      rstd[n] = rs
      for c in 0..<C {
        var o = (xr[c] - m) * rs
        if let gamma { o *= gamma.data[c] }
        if let beta { o += beta.data[c] }
        yr[c] = o
      }
    }
    if needsGrad && recording {
      record(.layerNorm(x: x, gamma: gamma, beta: beta, mean: mean, rstd: rstd, y: y))
    }
    return y
  }

  func layerNormBackward(
    x: Tensor, gamma: Tensor?, beta: Tensor?, mean: UnsafeMutablePointer<Float>,
    rstd: UnsafeMutablePointer<Float>, y: Tensor
  ) {
    guard let dy = y.grad else { return }
    let C = x.shape.last, N = x.shape.rows
    let invC = 1 / Float(C)
    for n in 0..<N {
      let xr = x.data + n * C, dyr = dy + n * C
      let m = mean[n], rs = rstd[n]
      // dnorm = dy·γ; dx = rstd·(dnorm − mean(dnorm) − norm·mean(dnorm·norm))
      var sumD: Float = 0, sumDN: Float = 0
      for c in 0..<C {
        let norm = (xr[c] - m) * rs
        let dn = dyr[c] * (gamma?.data[c] ?? 1)
        sumD += dn
        sumDN += dn * norm
        if let dg = gamma?.grad { dg[c] += dyr[c] * norm }
        if let db = beta?.grad { db[c] += dyr[c] }
      }
      guard let dx = x.grad else { continue }
      let dxr = dx + n * C
      let meanD = sumD * invC, meanDN = sumDN * invC
      for c in 0..<C {
        let norm = (xr[c] - m) * rs
        let dn = dyr[c] * (gamma?.data[c] ?? 1)
        dxr[c] += rs * (dn - meanD - norm * meanDN)
      }
    }
  }
}
