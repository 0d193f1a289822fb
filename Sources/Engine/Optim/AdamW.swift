import Foundation

/// AdamW's hyperparameters (Loshchilov & Hutter), with PyTorch's defaults.
public struct AdamWConfig: Codable, Sendable, Equatable {
  public var lr: Float = 3e-4
  public var beta1: Float = 0.9
  public var beta2: Float = 0.999
  public var eps: Float = 1e-8
  public var weightDecay: Float = 1e-4

  public init(lr: Float = 3e-4, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 1e-4) {
    self.lr = lr
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
  }
}

/// AdamW with decoupled weight decay over a `ParameterStore`'s trainable parameters.
///
/// The moments m and v live in flat buffers with the store's layout, so a step is one pass
/// per parameter and the state checkpoints as two arrays and a step count. Weight decay
/// applies to matrices only (rank ≥ 2), the usual exclusion of biases, norms and embeddings
/// of rank 1.
public final class AdamW {
  public let store: ParameterStore
  public var config: AdamWConfig
  /// Optimizer steps taken (the t in the bias corrections).
  public private(set) var step = 0
  private let m: UnsafeMutablePointer<Float>
  private let v: UnsafeMutablePointer<Float>

  public init(store: ParameterStore, config: AdamWConfig) {
    precondition(store.isAllocated, "AdamW needs an allocated store")
    self.store = store
    self.config = config
    m = .allocate(capacity: max(store.count, 1))
    v = .allocate(capacity: max(store.count, 1))
    m.initialize(repeating: 0, count: store.count)
    v.initialize(repeating: 0, count: store.count)
  }

  deinit {
    m.deallocate()
    v.deallocate()
  }

  /// One update of every trainable parameter from its gradient.
  public func update() {
    step += 1
    let c = config
    let bc1 = 1 - Float(Foundation.pow(Double(c.beta1), Double(step)))
    let bc2 = 1 - Float(Foundation.pow(Double(c.beta2), Double(step)))
    let stepSize = c.lr / bc1
    let rbc2 = 1 / bc2.squareRoot()
    for e in store.entries where e.trainable {
      let p = store.values + e.offset, g = store.grads + e.offset
      let mm = m + e.offset, vv = v + e.offset
      let decay: Float = e.shape.rank >= 2 ? 1 - c.lr * c.weightDecay : 1
      for i in 0..<e.shape.count {
        let gi = g[i]
        let mi = c.beta1 * mm[i] + (1 - c.beta1) * gi
        let vi = c.beta2 * vv[i] + (1 - c.beta2) * gi * gi
        mm[i] = mi
        vv[i] = vi
        p[i] = p[i] * decay - stepSize * mi / (vi.squareRoot() * rbc2 + c.eps)
      }
    }
  }

  /// The optimizer state as flat arrays (for checkpoints).
  public func state() -> (m: [Float], v: [Float], step: Int) {
    (Array(UnsafeBufferPointer(start: m, count: store.count)),
     Array(UnsafeBufferPointer(start: v, count: store.count)), step)
  }

  /// Restores a state saved by `state()` from a store of the same layout.
  public func restore(m mIn: [Float], v vIn: [Float], step s: Int) {
    precondition(mIn.count == store.count && vIn.count == store.count, "AdamW.restore: layout mismatch")
    mIn.withUnsafeBufferPointer { if let b = $0.baseAddress { m.update(from: b, count: store.count) } }
    vIn.withUnsafeBufferPointer { if let b = $0.baseAddress { v.update(from: b, count: store.count) } }
    step = s
  }
}
