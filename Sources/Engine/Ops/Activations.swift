// GELU (tanh approximation, as DiT's MLP) and SiLU (on adaLN conditioning), elementwise.

@usableFromInline let geluK: Float = 0.797_884_56  // √(2/π)
@usableFromInline let geluA: Float = 0.044_715

extension Graph {
  /// GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
  public func gelu(_ x: Tensor) -> Tensor {
    let y = output(x.shape, grad: x.requiresGrad)
    let n = x.count
    var i = 0
    while i + 8 <= n {
      let v: SIMD8<Float> = FastMath.load(x.data + i)
      let v3: SIMD8<Float> = v * v * v
      let inner: SIMD8<Float> = geluK * (v + geluA * v3)
      let t: SIMD8<Float> = FastMath.tanh(inner)
      let out: SIMD8<Float> = 0.5 * v * (1 + t)
      FastMath.store(out, y.data + i)
      i += 8
    }
    while i < n {
      let v = x.data[i]
      y.data[i] = 0.5 * v * (1 + FastMath.tanh(geluK * (v + geluA * v * v * v)))
      i += 1
    }
    if y.requiresGrad { record(.gelu(x: x, y: y)) }
    return y
  }

  func geluBackward(x: Tensor, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    let n = x.count
    var i = 0
    // d/dx = 0.5·(1+t) + 0.5·x·(1−t²)·√(2/π)·(1 + 3·0.044715·x²)
    while i + 8 <= n {
      let v: SIMD8<Float> = FastMath.load(x.data + i)
      let v2: SIMD8<Float> = v * v
      let inner: SIMD8<Float> = geluK * (v + geluA * v2 * v)
      let t: SIMD8<Float> = FastMath.tanh(inner)
      let sech2: SIMD8<Float> = 1 - t * t
      let dInner: SIMD8<Float> = geluK * (1 + (3 * geluA) * v2)
      let d: SIMD8<Float> = 0.5 * (1 + t) + 0.5 * v * sech2 * dInner
      let acc: SIMD8<Float> = FastMath.load(dx + i) + d * FastMath.load(dy + i)
      FastMath.store(acc, dx + i)
      i += 8
    }
    while i < n {
      let v = x.data[i]
      let t = FastMath.tanh(geluK * (v + geluA * v * v * v))
      let dInner: Float = geluK * (1 + 3 * geluA * v * v)
      let d: Float = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner
      dx[i] += dy[i] * d
      i += 1
    }
  }

  /// SiLU (swish): x·σ(x).
  public func silu(_ x: Tensor) -> Tensor {
    let y = output(x.shape, grad: x.requiresGrad)
    let n = x.count
    var i = 0
    while i + 8 <= n {
      let v = FastMath.load(x.data + i)
      FastMath.store(v * FastMath.sigmoid(v), y.data + i)
      i += 8
    }
    while i < n {
      y.data[i] = x.data[i] * FastMath.sigmoid(x.data[i])
      i += 1
    }
    if y.requiresGrad { record(.silu(x: x, y: y)) }
    return y
  }

  func siluBackward(x: Tensor, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    for i in 0..<x.count {
      let v = x.data[i]
      let s = FastMath.sigmoid(v)
      dx[i] += dy[i] * s * (1 + v * (1 - s))  // σ(x)·(1 + x·(1−σ(x)))
    }
  }
}
