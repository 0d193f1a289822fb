// Joining and splitting along the last axis of a (rows, columns) view. Token sequences are
// the same thing seen as (B, T·C): concatenating prompt tokens after image tokens, or taking
// the image tokens back out, is a column concat or slice per sample.

extension Graph {
  /// [a | b] along columns: a (R, Ka), b (R, Kb) → (R, Ka + Kb).
  public func concatColumns(_ a: Tensor, _ b: Tensor, rows R: Int) -> Tensor {
    let Ka = a.count / R, Kb = b.count / R
    precondition(Ka * R == a.count && Kb * R == b.count, "concatColumns: \(a.shape), \(b.shape) with \(R) rows")
    let y = output(Shape(R, Ka + Kb), grad: a.requiresGrad || b.requiresGrad)
    for r in 0..<R {
      (y.data + r * (Ka + Kb)).update(from: a.data + r * Ka, count: Ka)
      (y.data + r * (Ka + Kb) + Ka).update(from: b.data + r * Kb, count: Kb)
    }
    if y.requiresGrad { record(.concatColumns(a: a, b: b, rows: R, y: y)) }
    return y
  }

  func concatColumnsBackward(a: Tensor, b: Tensor, rows R: Int, y: Tensor) {
    guard let dy = y.grad else { return }
    let Ka = a.count / R, Kb = b.count / R
    for r in 0..<R {
      if let da = a.grad { accumulate(da + r * Ka, dy + r * (Ka + Kb), Ka) }
      if let db = b.grad { accumulate(db + r * Kb, dy + r * (Ka + Kb) + Ka, Kb) }
    }
  }

  /// Columns start..<start+count of x seen as (R, K) → (R, count).
  public func sliceColumns(_ x: Tensor, rows R: Int, start: Int, count n: Int) -> Tensor {
    let K = x.count / R
    precondition(K * R == x.count && start >= 0 && start + n <= K, "sliceColumns: \(x.shape) rows \(R) [\(start), \(start + n))")
    let y = output(Shape(R, n), grad: x.requiresGrad)
    for r in 0..<R { (y.data + r * n).update(from: x.data + r * K + start, count: n) }
    if y.requiresGrad { record(.sliceColumns(x: x, rows: R, start: start, y: y)) }
    return y
  }

  func sliceColumnsBackward(x: Tensor, rows R: Int, start: Int, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    let K = x.count / R, n = y.count / R
    for r in 0..<R { accumulate(dx + r * K + start, dy + r * n, n) }
  }

  /// Token sequences joined: a (B, Ta, C), b (B, Tb, C) → (B, Ta + Tb, C).
  public func concatTokens(_ a: Tensor, _ b: Tensor) -> Tensor {
    let B = a.shape[0], C = a.shape.last
    let y = concatColumns(a, b, rows: B)
    return y.reshaped(B, y.count / (B * C), C)
  }

  /// Tokens start..<start+count of x (B, T, C) → (B, count, C).
  public func sliceTokens(_ x: Tensor, start: Int, count n: Int) -> Tensor {
    let B = x.shape[0], C = x.shape.last
    return sliceColumns(x, rows: B, start: start * C, count: n * C).reshaped(B, n, C)
  }
}
