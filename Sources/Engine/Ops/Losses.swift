import Foundation

// Scalar losses, each the mean over its rows: softmax cross-entropy (classifiers), binary
// cross-entropy with logits (judges, discriminators), hinge (Adv-GRPO's discriminator) and
// mean-squared error (flow matching). Each returns a scalar tensor of shape [].

extension Graph {
  /// Mean softmax cross-entropy of logits (N, K) against class indices `targets` (N), stored
  /// as floats in a data tensor. Saves the probabilities for backward.
  public func crossEntropy(_ logits: Tensor, targets: Tensor) -> Tensor {
    let K = logits.shape.last, N = logits.shape.rows
    precondition(targets.count == N, "crossEntropy: \(targets.count) targets for \(N) rows")
    let loss = output(Shape(), grad: logits.requiresGrad)
    let probs = scratch(N * K)
    probs.update(from: logits.data, count: N * K)
    softmaxRows(probs, rows: N, cols: K, mask: nil)
    var total: Double = 0
    for n in 0..<N {
      let k = Int(targets.data[n])
      precondition(k >= 0 && k < K, "crossEntropy: target \(k) outside 0..<\(K)")
      total -= Double(log(max(probs[n * K + k], Float.leastNormalMagnitude)))
    }
    loss.data[0] = Float(total / Double(N))
    if loss.requiresGrad { record(.crossEntropy(logits: logits, targets: targets, probs: probs, loss: loss)) }
    return loss
  }

  func crossEntropyBackward(logits: Tensor, targets: Tensor, probs: UnsafeMutablePointer<Float>, loss: Tensor) {
    guard let dl = loss.grad, let dx = logits.grad else { return }
    let K = logits.shape.last, N = logits.shape.rows
    let g = dl[0] / Float(N)
    for n in 0..<N {
      let k = Int(targets.data[n])
      for j in 0..<K { dx[n * K + j] += g * (probs[n * K + j] - (j == k ? 1 : 0)) }
    }
  }

  /// Mean binary cross-entropy of logits against targets in [0, 1], both (N), computed
  /// stably as max(x,0) − x·t + log(1 + e^{−|x|}).
  public func binaryCrossEntropy(_ logits: Tensor, targets: Tensor) -> Tensor {
    precondition(logits.count == targets.count, "binaryCrossEntropy: \(logits.shape) vs \(targets.shape)")
    let loss = output(Shape(), grad: logits.requiresGrad)
    var total: Double = 0
    for i in 0..<logits.count {
      let x = logits.data[i], t = targets.data[i]
      total += Double(max(x, 0) - x * t + log1p(FastMath.exp(-abs(x))))
    }
    loss.data[0] = Float(total / Double(logits.count))
    if loss.requiresGrad { record(.binaryCrossEntropy(logits: logits, targets: targets, loss: loss)) }
    return loss
  }

  func binaryCrossEntropyBackward(logits: Tensor, targets: Tensor, loss: Tensor) {
    guard let dl = loss.grad, let dx = logits.grad else { return }
    let g = dl[0] / Float(logits.count)
    for i in 0..<logits.count {
      dx[i] += g * (FastMath.sigmoid(logits.data[i]) - targets.data[i])
    }
  }

  /// Elementwise log σ(x) = −log(1 + e^{−x}), stable for large |x|. Bradley–Terry losses are
  /// −logSigmoid(r_w − r_l).
  public func logSigmoid(_ x: Tensor) -> Tensor {
    let y = output(x.shape, grad: x.requiresGrad)
    for i in 0..<x.count {
      let v = x.data[i]
      y.data[i] = min(v, 0) - log1p(FastMath.exp(-abs(v)))
    }
    if y.requiresGrad { record(.logSigmoid(x: x, y: y)) }
    return y
  }

  func logSigmoidBackward(x: Tensor, y: Tensor) {
    guard let dy = y.grad, let dx = x.grad else { return }
    for i in 0..<x.count { dx[i] += dy[i] * FastMath.sigmoid(-x.data[i]) }
  }

  /// Mean hinge loss relu(1 − sign·x) over x (N): sign +1 pushes scores above 1 (real
  /// images for a discriminator), −1 below −1 (generated ones).
  public func hinge(_ x: Tensor, sign: Float) -> Tensor {
    let loss = output(Shape(), grad: x.requiresGrad)
    var total: Double = 0
    for i in 0..<x.count { total += Double(max(0, 1 - sign * x.data[i])) }
    loss.data[0] = Float(total / Double(max(x.count, 1)))
    if loss.requiresGrad { record(.hinge(x: x, sign: sign, loss: loss)) }
    return loss
  }

  func hingeBackward(x: Tensor, sign: Float, loss: Tensor) {
    guard let dl = loss.grad, let dx = x.grad else { return }
    let g = dl[0] / Float(max(x.count, 1))
    for i in 0..<x.count where 1 - sign * x.data[i] > 0 { dx[i] -= g * sign }
  }

  /// Mean squared error between two tensors of the same size.
  public func mse(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "mse: \(a.shape) vs \(b.shape)")
    let loss = output(Shape(), grad: a.requiresGrad || b.requiresGrad)
    var acc = SIMD8<Float>()
    var i = 0
    let n = a.count
    var tail: Float = 0
    while i + 8 <= n {
      let d = FastMath.load(a.data + i) - FastMath.load(b.data + i)
      acc += d * d
      i += 8
    }
    while i < n {
      let d = a.data[i] - b.data[i]
      tail += d * d
      i += 1
    }
    loss.data[0] = (acc.sum() + tail) / Float(max(n, 1))
    if loss.requiresGrad { record(.mse(a: a, b: b, loss: loss)) }
    return loss
  }

  func mseBackward(a: Tensor, b: Tensor, loss: Tensor) {
    guard let dl = loss.grad else { return }
    let g = 2 * dl[0] / Float(max(a.count, 1))
    for i in 0..<a.count {
      let d = g * (a.data[i] - b.data[i])
      if let da = a.grad { da[i] += d }
      if let db = b.grad { db[i] -= d }
    }
  }
}

extension Graph {
  /// Mean cross-entropy of logits (N, K) against soft target distributions (N, K) (data):
  /// −Σ_k p_k · log softmax(x)_k per row. DINO's student–teacher loss; with one-hot targets
  /// it equals `crossEntropy`.
  public func softCrossEntropy(_ logits: Tensor, targets: Tensor) -> Tensor {
    let K = logits.shape.last, N = logits.shape.rows
    precondition(targets.count == N * K, "softCrossEntropy: targets \(targets.shape) for logits \(logits.shape)")
    let loss = output(Shape(), grad: logits.requiresGrad)
    let probs = scratch(N * K)
    probs.update(from: logits.data, count: N * K)
    softmaxRows(probs, rows: N, cols: K, mask: nil)
    var total: Double = 0
    for i in 0..<(N * K) where targets.data[i] != 0 {
      total -= Double(targets.data[i]) * Double(log(max(probs[i], Float.leastNormalMagnitude)))
    }
    loss.data[0] = Float(total / Double(N))
    if loss.requiresGrad { record(.softCrossEntropy(logits: logits, targets: targets, probs: probs, loss: loss)) }
    return loss
  }

  func softCrossEntropyBackward(logits: Tensor, targets: Tensor, probs: UnsafeMutablePointer<Float>, loss: Tensor) {
    guard let dl = loss.grad, let dx = logits.grad else { return }
    let K = logits.shape.last, N = logits.shape.rows
    let g = dl[0] / Float(N)
    for n in 0..<N {
      // d/dx_j = softmax_j · Σ_k p_k − p_j  (Σ p = 1 for a distribution, but not assumed)
      var mass: Float = 0
      for k in 0..<K { mass += targets.data[n * K + k] }
      for j in 0..<K { dx[n * K + j] += g * (probs[n * K + j] * mass - targets.data[n * K + j]) }
    }
  }
}
