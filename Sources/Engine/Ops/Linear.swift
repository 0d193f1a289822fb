/// A low-rank adapter on a linear layer: y += scale · (x·Aᵀ)·Bᵀ with A (r, In), B (Out, r).
public struct LoRA: Sendable {
  public let a: Tensor  // (r, In)
  public let b: Tensor  // (Out, r)
  public let scale: Float  // alpha / r
  public init(a: Tensor, b: Tensor, scale: Float) {
    self.a = a
    self.b = b
    self.scale = scale
  }
}

extension Graph {
  /// y = x·Wᵀ + b (+ LoRA), one SGEMM over all rows, as PyTorch's nn.Linear.
  ///
  /// x (N, In) (any leading dims, flattened), W (Out, In), b (Out), y (N, Out).
  /// The adapter is skipped when `loraEnabled` is false, which turns the policy network
  /// into its own frozen reference without a second copy of the weights.
  public func linear(_ x: Tensor, _ w: Tensor, _ b: Tensor?, lora: LoRA? = nil) -> Tensor {
    let In = x.shape.last, Out = w.shape[0], N = x.shape.rows
    precondition(w.shape[1] == In, "linear: x \(x.shape) against weight \(w.shape)")
    let lora = loraEnabled ? lora : nil
    let needsGrad =
      x.requiresGrad || w.requiresGrad || (b?.requiresGrad ?? false)
      || (lora.map { $0.a.requiresGrad || $0.b.requiresGrad } ?? false)
    let y = output(x.shape.replacingLast(Out), grad: needsGrad)
    gemm(transB: true, M: N, N: Out, K: In, A: x.data, lda: In, B: w.data, ldb: In, C: y.data, ldc: Out)
    if let b { addBiasRows(y.data, b.data, rows: N, cols: Out) }
    var mid: Tensor? = nil
    if let lora {
      // mid = x·Aᵀ (N, r); y += scale·mid·Bᵀ
      let r = lora.a.shape[0]
      let m = output(Shape(N, r), grad: false)
      gemm(transB: true, M: N, N: r, K: In, A: x.data, lda: In, B: lora.a.data, ldb: In, C: m.data, ldc: r)
      gemm(
        transB: true, M: N, N: Out, K: r, alpha: lora.scale, A: m.data, lda: r, B: lora.b.data, ldb: r,
        beta: 1, C: y.data, ldc: Out)
      mid = m
    }
    if needsGrad { record(.linear(x: x, w: w, b: b, lora: lora, mid: mid, y: y)) }
    return y
  }

  func linearBackward(x: Tensor, w: Tensor, b: Tensor?, lora: LoRA?, mid: Tensor?, y: Tensor) {
    guard let dy = y.grad else { return }
    let In = x.shape.last, Out = w.shape[0], N = x.shape.rows
    if let dx = x.grad {  // dx += dy·W
      gemm(M: N, N: In, K: Out, A: dy, lda: Out, B: w.data, ldb: In, beta: 1, C: dx, ldc: In)
    }
    if let dw = w.grad {  // dW += dyᵀ·x
      gemm(transA: true, M: Out, N: In, K: N, A: dy, lda: Out, B: x.data, ldb: In, beta: 1, C: dw, ldc: In)
    }
    if let b, let db = b.grad { sumRows(dy, rows: N, cols: Out, into: db) }
    if let lora, let mid {
      let r = lora.a.shape[0]
      if let dB = lora.b.grad {  // dB += scale·dyᵀ·mid
        gemm(
          transA: true, M: Out, N: r, K: N, alpha: lora.scale, A: dy, lda: Out, B: mid.data, ldb: r,
          beta: 1, C: dB, ldc: r)
      }
      if lora.a.grad != nil || x.grad != nil {
        // dMid (N, r) = scale·dy·B is kept transposed, (r, N) = scale·Bᵀ·dyᵀ: OpenBLAS
        // mallocs a 4·Out·r-byte buffer on every (N, r, K = Out) call, never on this shape.
        let dMidT = scratch(r * N)
        gemm(transA: true, transB: true, M: r, N: N, K: Out, alpha: lora.scale, A: lora.b.data, lda: r, B: dy, ldb: Out, C: dMidT, ldc: N)
        if let dA = lora.a.grad {  // dA += dMidᵀ·x
          gemm(M: r, N: In, K: N, A: dMidT, lda: N, B: x.data, ldb: In, beta: 1, C: dA, ldc: In)
        }
        if let dx = x.grad {  // dx += dMid·A
          gemm(transA: true, M: N, N: In, K: r, A: dMidT, lda: N, B: lora.a.data, ldb: In, beta: 1, C: dx, ldc: In)
        }
      }
    }
  }
}

/// y[r, :] += b for every row.
@usableFromInline func addBiasRows(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, cols: Int) {
  for r in 0..<rows {
    let row = y + r * cols
    var c = 0
    while c + 8 <= cols {
      FastMath.store(FastMath.load(row + c) + FastMath.load(b + c), row + c)
      c += 8
    }
    while c < cols {
      row[c] += b[c]
      c += 1
    }
  }
}

/// into[c] += Σ_r x[r, c].
@usableFromInline func sumRows(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
  for r in 0..<rows {
    let row = x + r * cols
    var c = 0
    while c + 8 <= cols {
      FastMath.store(FastMath.load(out + c) + FastMath.load(row + c), out + c)
      c += 8
    }
    while c < cols {
      out[c] += row[c]
      c += 1
    }
  }
}
