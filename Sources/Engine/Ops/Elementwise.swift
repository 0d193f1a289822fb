import Foundation

// The elementwise basics. A second operand may be "tiled": b's elements repeat across a's
// leading dimensions (b.count divides a.count), which covers biases, positional embeddings
// and per-feature scales without a broadcasting engine.

extension Graph {
  /// a + b, with b tiled over a when it is smaller (e.g. (T, C) positions onto (B, T, C)).
  public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(b.count > 0 && a.count % b.count == 0, "add: \(b.shape) does not tile \(a.shape)")
    let y = output(a.shape, grad: a.requiresGrad || b.requiresGrad)
    let n = b.count
    for base in stride(from: 0, to: a.count, by: n) {
      for i in 0..<n { y.data[base + i] = a.data[base + i] + b.data[i] }
    }
    if y.requiresGrad { record(.add(a: a, b: b, y: y)) }
    return y
  }

  func addBackward(a: Tensor, b: Tensor, y: Tensor) {
    guard let dy = y.grad else { return }
    if let da = a.grad { accumulate(da, dy, a.count) }
    if let db = b.grad {
      for base in stride(from: 0, to: a.count, by: b.count) { accumulate(db, dy + base, b.count) }
    }
  }

  /// a − b, same size.
  public func sub(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "sub: \(a.shape) vs \(b.shape)")
    let y = output(a.shape, grad: a.requiresGrad || b.requiresGrad)
    for i in 0..<a.count { y.data[i] = a.data[i] - b.data[i] }
    if y.requiresGrad { record(.sub(a: a, b: b, y: y)) }
    return y
  }

  func subBackward(a: Tensor, b: Tensor, y: Tensor) {
    guard let dy = y.grad else { return }
    if let da = a.grad { accumulate(da, dy, a.count) }
    if let db = b.grad { for i in 0..<b.count { db[i] -= dy[i] } }
  }

  /// a ⊙ b, with b tiled over a when it is smaller.
  public func mul(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(b.count > 0 && a.count % b.count == 0, "mul: \(b.shape) does not tile \(a.shape)")
    let y = output(a.shape, grad: a.requiresGrad || b.requiresGrad)
    let n = b.count
    for base in stride(from: 0, to: a.count, by: n) {
      for i in 0..<n { y.data[base + i] = a.data[base + i] * b.data[i] }
    }
    if y.requiresGrad { record(.mul(a: a, b: b, y: y)) }
    return y
  }

  func mulBackward(a: Tensor, b: Tensor, y: Tensor) {
    guard let dy = y.grad else { return }
    let n = b.count
    for base in stride(from: 0, to: a.count, by: n) {
      for i in 0..<n {
        if let da = a.grad { da[base + i] += dy[base + i] * b.data[i] }
        if let db = b.grad { db[i] += dy[base + i] * a.data[base + i] }
      }
    }
  }

  /// Each row of x (R, K) times its own factor s (R): per-sample weights.
  public func scaleRows(_ x: Tensor, _ s: Tensor) -> Tensor {
    let R = s.count, K = x.count / R
    precondition(R * K == x.count, "scaleRows: \(x.shape) by \(s.shape)")
    let y = output(x.shape, grad: x.requiresGrad || s.requiresGrad)
    for r in 0..<R { for k in 0..<K { y.data[r * K + k] = x.data[r * K + k] * s.data[r] } }
    if y.requiresGrad { record(.scaleRows(x: x, s: s, y: y)) }
    return y
  }

  func scaleRowsBackward(x: Tensor, s: Tensor, y: Tensor) {
    guard let dy = y.grad else { return }
    let R = s.count, K = x.count / R
    for r in 0..<R {
      for k in 0..<K {
        let i = r * K + k
        if let dx = x.grad { dx[i] += dy[i] * s.data[r] }
        if let ds = s.grad { ds[r] += dy[i] * x.data[i] }
      }
    }
  }

  /// x · c for a constant c, plus an optional constant offset: c·x + offset.
  public func scale(_ x: Tensor, _ c: Float, offset: Float = 0) -> Tensor {
    let y = output(x.shape, grad: x.requiresGrad)
    for i in 0..<x.count { y.data[i] = c * x.data[i] + offset }
    if y.requiresGrad { record(.scale(x: x, c: c, y: y)) }
    return y
  }

  func scaleBackward(x: Tensor, c: Float, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    for i in 0..<x.count { dx[i] += c * dy[i] }
  }

  /// e^x, elementwise.
  public func exp(_ x: Tensor) -> Tensor {
    let y = output(x.shape, grad: x.requiresGrad)
    for i in 0..<x.count { y.data[i] = Foundation.exp(x.data[i]) }
    if y.requiresGrad { record(.exp(x: x, y: y)) }
    return y
  }

  func expBackward(x: Tensor, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    for i in 0..<x.count { dx[i] += dy[i] * y.data[i] }
  }

  /// x clamped to [lo, hi]; the gradient passes only where x was inside.
  public func clamp(_ x: Tensor, _ lo: Float, _ hi: Float) -> Tensor {
    let y = output(x.shape, grad: x.requiresGrad)
    for i in 0..<x.count { y.data[i] = min(max(x.data[i], lo), hi) }
    if y.requiresGrad { record(.clamp(x: x, lo: lo, hi: hi, y: y)) }
    return y
  }

  func clampBackward(x: Tensor, lo: Float, hi: Float, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    for i in 0..<x.count where x.data[i] >= lo && x.data[i] <= hi { dx[i] += dy[i] }
  }

  /// The elementwise maximum of a and b; ties send the gradient to a.
  public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "maximum: \(a.shape) vs \(b.shape)")
    let y = output(a.shape, grad: a.requiresGrad || b.requiresGrad)
    for i in 0..<a.count { y.data[i] = max(a.data[i], b.data[i]) }
    if y.requiresGrad { record(.maximum(a: a, b: b, y: y)) }
    return y
  }

  func maximumBackward(a: Tensor, b: Tensor, y: Tensor) {
    guard let dy = y.grad else { return }
    for i in 0..<a.count {
      if a.data[i] >= b.data[i] { a.grad?[i] += dy[i] } else { b.grad?[i] += dy[i] }
    }
  }

  /// The sum of all elements, as a scalar [].
  public func sum(_ x: Tensor) -> Tensor {
    let y = output(Shape(), grad: x.requiresGrad)
    y.data[0] = vectorSum(x.data, x.count)
    if y.requiresGrad { record(.sum(x: x, c: 1, y: y)) }
    return y
  }

  /// The mean of all elements, as a scalar [].
  public func mean(_ x: Tensor) -> Tensor {
    let y = output(Shape(), grad: x.requiresGrad)
    let c = 1 / Float(max(x.count, 1))
    y.data[0] = vectorSum(x.data, x.count) * c
    if y.requiresGrad { record(.sum(x: x, c: c, y: y)) }
    return y
  }

  func sumBackward(x: Tensor, c: Float, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    let g = c * dy[0]
    for i in 0..<x.count { dx[i] += g }
  }
}
