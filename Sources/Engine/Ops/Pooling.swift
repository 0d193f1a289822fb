// Reductions of token sequences to vectors: mean pooling (pooled prompt for adaLN, the
// backbone's patch summary) and L2 normalisation (features for the discriminator and
// preference heads, as DINO features are compared on the unit sphere).

extension Graph {
  /// Mean over tokens: x (B, T, C) → (B, C). With mask (B, T), only tokens with mask 1 count.
  public func meanPool(_ x: Tensor, mask: Tensor? = nil) -> Tensor {
    let B = x.shape[0], C = x.shape.last, T = x.count / (B * C)
    let y = output(Shape(B, C), grad: x.requiresGrad)
    let weights = scratch(B)
    y.data.initialize(repeating: 0, count: B * C)
    for b in 0..<B {
      var n: Float = 0
      for t in 0..<T where (mask?.data[b * T + t] ?? 1) != 0 {
        accumulate(y.data + b * C, x.data + (b * T + t) * C, C)
        n += 1
      }
      let w = n > 0 ? 1 / n : 0
      weights[b] = w
      for c in 0..<C { y.data[b * C + c] *= w }
    }
    if y.requiresGrad { record(.meanPool(x: x, mask: mask, weights: weights, y: y)) }
    return y
  }

  func meanPoolBackward(x: Tensor, mask: Tensor?, weights: UnsafeMutablePointer<Float>, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    let B = x.shape[0], C = x.shape.last, T = x.count / (B * C)
    for b in 0..<B {
      let w = weights[b]
      for t in 0..<T where (mask?.data[b * T + t] ?? 1) != 0 {
        let d = dx + (b * T + t) * C
        for c in 0..<C { d[c] += w * dy[b * C + c] }
      }
    }
  }

  /// Rows scaled to unit length: x (N, C) → x / max(‖x‖, eps).
  public func l2Normalize(_ x: Tensor, eps: Float = 1e-6) -> Tensor {
    let C = x.shape.last, N = x.shape.rows
    let y = output(x.shape, grad: x.requiresGrad)
    let inv = scratch(N)
    for n in 0..<N {
      let r = x.data + n * C
      let norm = vectorDot(r, r, C).squareRoot()
      inv[n] = 1 / max(norm, eps)
      for c in 0..<C { y.data[n * C + c] = r[c] * inv[n] }
    }
    if y.requiresGrad { record(.l2Normalize(x: x, invNorm: inv, y: y)) }
    return y
  }

  func l2NormalizeBackward(x: Tensor, invNorm: UnsafeMutablePointer<Float>, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    let C = x.shape.last, N = x.shape.rows
    for n in 0..<N {
      let yr = y.data + n * C, dyr = dy + n * C
      // dx = (dy − y·(y·dy)) / ‖x‖
      let s = vectorDot(yr, dyr, C)
      for c in 0..<C { dx[n * C + c] += (dyr[c] - yr[c] * s) * invNorm[n] }
    }
  }
}
