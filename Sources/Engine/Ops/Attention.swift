extension Graph {
  /// Multi-head self-attention over packed projections, one fused op.
  ///
  /// qkv (B, T, 3C) laid out as PyTorch's `qkv.reshape(B, T, 3, H, D)`: queries in columns
  /// [0, C), keys in [C, 2C), values in [2C, 3C), head h in columns h·D..<(h+1)·D of each.
  /// keyMask (B, T), optional: 1 for a real token, 0 for padding that no query may attend
  /// to (prompts of different length). Returns (B, T, C), heads concatenated.
  /// Per (b, h) the scores S = Q·Kᵀ/√D and the output P·V are SGEMMs that read Q, K and V in
  /// place through a row stride of 3C; the probabilities P (B, H, T, T) are kept for backward.
  public func attention(_ qkv: Tensor, heads H: Int, keyMask: Tensor? = nil) -> Tensor {
    let T = qkv.shape[-2], C3 = qkv.shape.last, C = C3 / 3, B = qkv.count / (T * C3), D = C / H
    precondition(C3 == 3 * C && C == H * D, "attention: qkv \(qkv.shape) with \(H) heads")
    if let keyMask { precondition(keyMask.count == B * T, "attention: keyMask \(keyMask.shape) for B=\(B), T=\(T)") }
    let out = output(Shape(B, T, C), grad: qkv.requiresGrad)
    let probs = scratch(B * H * T * T)
    let scale = 1 / Float(D).squareRoot()
    for b in 0..<B {
      for h in 0..<H {
        let q = qkv.data + b * T * C3 + h * D
        let p = probs + (b * H + h) * T * T
        gemm(transB: true, M: T, N: T, K: D, alpha: scale, A: q, lda: C3, B: q + C, ldb: C3, C: p, ldc: T)
        softmaxRows(p, rows: T, cols: T, mask: keyMask.map { $0.data + b * T })
        gemm(M: T, N: D, K: T, A: p, lda: T, B: q + 2 * C, ldb: C3, C: out.data + b * T * C + h * D, ldc: C)
      }
    }
    if out.requiresGrad { record(.attention(qkv: qkv, heads: H, probs: probs, out: out)) }
    return out
  }

  func attentionBackward(qkv: Tensor, heads H: Int, probs: UnsafeMutablePointer<Float>, out: Tensor) {
    guard let dout = out.grad, let dqkv = qkv.grad else { return }
    let T = qkv.shape[-2], C3 = qkv.shape.last, C = C3 / 3, B = qkv.count / (T * C3), D = C / H
    let scale = 1 / Float(D).squareRoot()
    let dp = scratch(T * T)  // (T, T), reused per head
    for b in 0..<B {
      for h in 0..<H {
        let q = qkv.data + b * T * C3 + h * D, dq = dqkv + b * T * C3 + h * D
        let p = probs + (b * H + h) * T * T
        let dO = dout + b * T * C + h * D
        gemm(transB: true, M: T, N: T, K: D, A: dO, lda: C, B: q + 2 * C, ldb: C3, C: dp, ldc: T)  // dP = dO·Vᵀ
        gemm(transA: true, M: T, N: D, K: T, A: p, lda: T, B: dO, ldb: C, beta: 1, C: dq + 2 * C, ldc: C3)  // dV += Pᵀ·dO
        // Softmax backward in place: dS = P ⊙ (dP − rowsum(dP ⊙ P)).
        for i in 0..<T {
          let pr = p + i * T, dr = dp + i * T
          let s = vectorDot(pr, dr, T)
          for j in 0..<T { dr[j] = pr[j] * (dr[j] - s) }
        }
        gemm(M: T, N: D, K: T, alpha: scale, A: dp, lda: T, B: q + C, ldb: C3, beta: 1, C: dq, ldc: C3)  // dQ += s·dS·K
        gemm(transA: true, M: T, N: D, K: T, alpha: scale, A: dp, lda: T, B: q, ldb: C3, beta: 1, C: dq + C, ldc: C3)  // dK += s·dSᵀ·Q
      }
    }
  }
}

/// Row-wise softmax in place over (rows, cols); columns whose mask is 0 get probability 0.
/// A row with every column masked becomes all zeros rather than NaN.
@usableFromInline func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, mask: UnsafePointer<Float>?) {
  for r in 0..<rows {
    let row = x + r * cols
    if let mask {
      for c in 0..<cols where mask[c] == 0 { row[c] = -.infinity }
    }
    var m = -Float.infinity
    for c in 0..<cols { m = max(m, row[c]) }
    if m == -.infinity {
      row.initialize(repeating: 0, count: cols)
      continue
    }
    var c = 0
    var acc = SIMD8<Float>()
    while c + 8 <= cols {
      let e = FastMath.exp(FastMath.load(row + c) - m)
      FastMath.store(e, row + c)
      acc += e
      c += 8
    }
    var s = acc.sum()
    while c < cols {
      let e = FastMath.exp(row[c] - m)
      row[c] = e
      s += e
      c += 1
    }
    let inv = 1 / s
    for c in 0..<cols { row[c] *= inv }
  }
}
