import Foundation

/// How a parameter is filled when the store is first allocated.
public enum Initializer: Sendable {
  case zeros
  case ones
  case constant(Float)
  case normal(std: Float)
  case uniform(bound: Float)
  /// PyTorch's nn.Linear default: U(−1/√in, 1/√in) with `in` the last dimension.
  case linearDefault
  /// Xavier/Glorot uniform over (out, in): U(±√(6/(in+out))).
  case xavierUniform
  /// DiT's fixed 2-D sin-cos position table (MAE's get_2d_sincos_pos_embed) for a grid×grid
  /// raster of tokens, (grid², C): columns [0, C/2) encode the token's x, [C/2, C) its y, each
  /// as [sin(p·ω_k) | cos(p·ω_k)] with ω_k = 10000^(−k/(C/4)), k < C/4.
  case sinCos2D(grid: Int)
}

/// A handle to one parameter in a `ParameterStore`.
public struct Param: Hashable, Sendable {
  public let index: Int
}

/// Every parameter of a model in one flat buffer, with a parallel flat gradient buffer.
///
/// Models declare their parameters by name (PyTorch's names, e.g. `blocks.3.attn.qkv.weight`)
/// and keep the handles; `allocate(seed:)` then lays them out contiguously and initialises
/// them. The optimizer, gradient clipping, EMA and checkpoints each become one loop or one
/// copy over the flat buffers (llm.c's layout). A frozen parameter hands out tensors without
/// a gradient, so backward skips its weight-gradient GEMMs entirely.
public final class ParameterStore {
  /// One declared parameter.
  public struct Entry: Sendable {
    public let name: String
    public let shape: Shape
    public let offset: Int
    public let initializer: Initializer
    public var trainable: Bool
  }

  public private(set) var entries: [Entry] = []
  private var byName: [String: Int] = [:]
  /// All values, in declaration order.
  public private(set) var values: UnsafeMutablePointer<Float>
  /// All gradients, same layout as `values`.
  public private(set) var grads: UnsafeMutablePointer<Float>
  /// The number of floats in the store.
  public private(set) var count = 0
  public private(set) var isAllocated = false

  public init() {
    values = .allocate(capacity: 1)
    grads = .allocate(capacity: 1)
  }

  deinit {
    values.deallocate()
    grads.deallocate()
  }

  /// Declares a parameter; must come before `allocate`.
  @discardableResult
  public func declare(_ name: String, _ shape: Shape, init initializer: Initializer, trainable: Bool = true) -> Param {
    precondition(!isAllocated, "declare(\(name)) after allocate()")
    precondition(byName[name] == nil, "parameter \(name) declared twice")
    entries.append(Entry(name: name, shape: shape, offset: count, initializer: initializer, trainable: trainable))
    byName[name] = entries.count - 1
    count += shape.count
    return Param(index: entries.count - 1)
  }

  /// Lays out and initialises every declared parameter from `seed`; each parameter draws
  /// from its own stream, so adding a parameter never changes the others' initial values.
  public func allocate(seed: UInt64) {
    precondition(!isAllocated, "allocate() called twice")
    values.deallocate()
    grads.deallocate()
    values = .allocate(capacity: max(count, 1))
    grads = .allocate(capacity: max(count, 1))
    grads.initialize(repeating: 0, count: count)
    isAllocated = true
    let base = RNG(seed: seed)
    for (i, e) in entries.enumerated() {
      var rng = base.stream(UInt64(i))
      let p = values + e.offset, n = e.shape.count
      switch e.initializer {
      case .zeros: p.initialize(repeating: 0, count: n)
      case .ones: p.initialize(repeating: 1, count: n)
      case .constant(let c): p.initialize(repeating: c, count: n)
      case .normal(let std): rng.fillNormal(p, count: n, std: std)
      case .uniform(let bound): rng.fillUniform(p, count: n, -bound, bound)
      case .linearDefault:
        let bound = 1 / Float(max(e.shape.last, 1)).squareRoot()
        rng.fillUniform(p, count: n, -bound, bound)
      case .xavierUniform:
        let fanIn = e.shape.last, fanOut = e.shape.rank > 1 ? e.shape[0] : 1
        let bound = (6 / Float(fanIn + fanOut)).squareRoot()
        rng.fillUniform(p, count: n, -bound, bound)
      case .sinCos2D(let grid):
        ParameterStore.fillSinCos2D(p, grid: grid, width: e.shape.last)
      }
    }
  }

  /// Writes the (grid², C) 2-D sin-cos table into `p` (see `Initializer.sinCos2D`).
  static func fillSinCos2D(_ p: UnsafeMutablePointer<Float>, grid: Int, width C: Int) {
    let q = C / 4
    for t in 0..<(grid * grid) {
      let row = p + t * C
      row.initialize(repeating: 0, count: C)  // C not divisible by 4 leaves a zero tail
      let x = Double(t % grid), y = Double(t / grid)
      for k in 0..<q {
        let omega = 1 / Foundation.pow(10_000.0, Double(k) / Double(q))
        row[k] = Float(Foundation.sin(x * omega))
        row[q + k] = Float(Foundation.cos(x * omega))
        row[2 * q + k] = Float(Foundation.sin(y * omega))
        row[3 * q + k] = Float(Foundation.cos(y * omega))
      }
    }
  }

  /// The tensor of parameter `p`; it carries a gradient only while the parameter is trainable.
  public subscript(p: Param) -> Tensor {
    let e = entries[p.index]
    return Tensor(data: values + e.offset, grad: e.trainable ? grads + e.offset : nil, shape: e.shape)
  }

  /// The handle of the parameter called `name`, if declared.
  public func param(named name: String) -> Param? { byName[name].map(Param.init) }

  /// Freezes or unfreezes every parameter whose name satisfies `predicate`.
  public func setTrainable(_ trainable: Bool, where predicate: (String) -> Bool) {
    for i in entries.indices where predicate(entries[i].name) { entries[i].trainable = trainable }
  }

  /// The number of trainable floats.
  public var trainableCount: Int { entries.filter(\.trainable).reduce(0) { $0 + $1.shape.count } }

  /// Sets every gradient to zero.
  public func zeroGrads() { grads.initialize(repeating: 0, count: count) }

  /// The L2 norm of the trainable gradients, accumulated in Double.
  public func gradNorm() -> Float {
    var s = 0.0
    for e in entries where e.trainable {
      let g = grads + e.offset
      s += Double(vectorDot(g, g, e.shape.count))
    }
    return Float(s.squareRoot())
  }

  /// Scales the trainable gradients so their global norm is at most `maxNorm` (as PyTorch's
  /// clip_grad_norm_); returns the norm before clipping.
  @discardableResult
  public func clipGradNorm(_ maxNorm: Float) -> Float {
    let norm = gradNorm()
    guard norm.isFinite, norm > maxNorm, norm > 0 else { return norm }
    let c = maxNorm / (norm + 1e-6)
    for e in entries where e.trainable {
      let g = grads + e.offset
      for i in 0..<e.shape.count { g[i] *= c }
    }
    return norm
  }

  /// A copy of all values (allocates; for checkpoints, EMA and tests).
  public func snapshot() -> [Float] { Array(UnsafeBufferPointer(start: values, count: count)) }

  /// Restores all values from a snapshot of the same store.
  public func restore(_ snapshot: [Float]) {
    precondition(snapshot.count == count, "restore: \(snapshot.count) values for a store of \(count)")
    snapshot.withUnsafeBufferPointer { buf in
      if let b = buf.baseAddress { values.update(from: b, count: count) }
    }
  }

  /// Copies the values of every parameter whose name matches from `other` (e.g. a generator's
  /// weights into the editor that extends it); returns how many were copied.
  @discardableResult
  public func copyMatching(from other: ParameterStore) -> Int {
    var n = 0
    for e in entries {
      guard let j = other.byName[e.name], other.entries[j].shape == e.shape else { continue }
      (values + e.offset).update(from: other.values + other.entries[j].offset, count: e.shape.count)
      n += 1
    }
    return n
  }
}
