/// An exponential moving average of a store's parameters, for evaluating smoothed weights.
///
/// shadow ← decay·shadow + (1 − decay)·θ after each optimizer step; `swap()` exchanges the
/// live and averaged weights (call it twice to go back), so evaluation reuses the model as is.
public final class EMA {
  public let store: ParameterStore
  public var decay: Float
  private let shadow: UnsafeMutablePointer<Float>

  public init(store: ParameterStore, decay: Float) {
    precondition(store.isAllocated, "EMA needs an allocated store")
    self.store = store
    self.decay = decay
    shadow = .allocate(capacity: max(store.count, 1))
    shadow.update(from: store.values, count: store.count)
  }

  deinit { shadow.deallocate() }

  /// Folds the current weights into the average.
  public func update() {
    let a = decay, b = 1 - decay
    for i in 0..<store.count { shadow[i] = a * shadow[i] + b * store.values[i] }
  }

  /// The warmed-up decay at optimizer step `step` (from 0): min(`target`, (1 + step) / (10 + step)).
  /// It starts at 0.1, so the average follows the live weights closely at first and forgets
  /// the random initialisation, then settles at `target`.
  public static func warmupDecay(step: Int, target: Float) -> Float { min(target, Float(1 + step) / Float(10 + step)) }

  /// Exchanges live and averaged weights.
  public func swap() {
    for i in 0..<store.count {
      let t = store.values[i]
      store.values[i] = shadow[i]
      shadow[i] = t
    }
  }

  /// A copy of the averaged weights.
  public func averaged() -> [Float] { Array(UnsafeBufferPointer(start: shadow, count: store.count)) }
}
