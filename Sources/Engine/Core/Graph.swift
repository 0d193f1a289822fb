/// The context every op runs in: the step's arenas, the tape, and the switches that change
/// how a forward pass behaves (gradient recording, LoRA on/off, GEMM profiling).
///
/// A training step is: ops append nodes while computing forward values; `backward(from:)`
/// walks the nodes in reverse, each calling its op's hand-written backward, which accumulates
/// (`+=`) into input gradients, as llm.c does. `reset()` then frees the step's memory for
/// the next one. A graph belongs to one thread.
public final class Graph {
  /// Activation values and kernel scratch of the current step.
  public let values: Arena
  /// Activation gradients of the current step, zeroed in one sweep when backward starts.
  public let grads: Arena
  @usableFromInline var nodes: [Node] = []

  /// When false, ops record nothing and allocate no gradients (evaluation, frozen models).
  public var recording = true
  /// When false, linear layers ignore their LoRA adapters: the network is the reference model.
  public var loraEnabled = true
  /// When true, time spent inside SGEMM is accumulated in `gemmNanos`.
  public var profileGemm = false
  /// Nanoseconds spent inside SGEMM since the counter was last cleared.
  public var gemmNanos: UInt64 = 0
  /// Floating-point operations issued to SGEMM since the counter was last cleared.
  public var gemmFlops: Double = 0

  public init(initialCapacity: Int = 1 << 20) {
    values = Arena(initialCapacity: initialCapacity)
    grads = Arena(initialCapacity: initialCapacity / 2)
    nodes.reserveCapacity(256)
  }

  /// Nodes recorded so far in this step.
  public var nodeCount: Int { nodes.count }

  /// Frees every tensor made since the last reset and clears the tape. After the first step
  /// the arenas are sized to the high-water mark, so the next step allocates nothing.
  public func reset() {
    nodes.removeAll(keepingCapacity: true)
    values.reset()
    grads.reset()
  }

  // MARK: Making tensors

  /// A fresh output tensor; it gets a gradient buffer only when recording and asked to.
  @inlinable public func output(_ shape: Shape, grad needsGrad: Bool) -> Tensor {
    let data = values.allocate(shape.count)
    let grad = (recording && needsGrad) ? grads.allocate(shape.count) : nil
    return Tensor(data: data, grad: grad, shape: shape)
  }

  /// A data tensor (no gradient) holding a copy of `values`.
  public func constant(_ values: [Float], _ shape: Shape) -> Tensor {
    precondition(values.count == shape.count, "constant: \(values.count) values for \(shape)")
    let t = output(shape, grad: false)
    t.copy(from: values)
    return t
  }

  /// A data tensor whose element i is `value(i)`, written straight into the arena: values
  /// computed on the fly need no heap array of their own.
  public func constant(_ shape: Shape, _ value: (Int) -> Float) -> Tensor {
    let t = output(shape, grad: false)
    for i in 0..<shape.count { t.data[i] = value(i) }
    return t
  }

  /// A data tensor filled with `value`.
  public func filled(_ shape: Shape, _ value: Float) -> Tensor {
    let t = output(shape, grad: false)
    t.data.initialize(repeating: value, count: shape.count)
    return t
  }

  /// A tensor whose gradient is wanted although no parameter feeds it (inputs under test).
  public func leaf(_ values: [Float], _ shape: Shape) -> Tensor {
    let t = output(shape, grad: true)
    t.copy(from: values)
    return t
  }

  /// Scratch memory for a kernel; lives until `reset()`.
  @inlinable public func scratch(_ count: Int) -> UnsafeMutablePointer<Float> {
    values.allocate(count)
  }

  @inlinable func record(_ node: Node) {
    if recording { nodes.append(node) }
  }

  // MARK: Backward

  /// Runs the tape backwards from `loss`, seeding its gradient with `seed` (every element).
  /// Parameter gradients accumulate into their store; call the store's `zeroGrads()` between
  /// optimizer steps.
  public func backward(from loss: Tensor, seed: Float = 1) {
    guard let lossGrad = loss.grad else { return }  // nothing upstream wants a gradient
    grads.zeroUsed()
    lossGrad.initialize(repeating: seed, count: loss.count)
    for i in stride(from: nodes.count - 1, through: 0, by: -1) {
      runBackward(nodes[i])
    }
  }

  // MARK: SGEMM with optional profiling

  /// Row-major SGEMM, counted in `gemmNanos`/`gemmFlops` when `profileGemm` is on.
  @inline(__always)
  func gemm(
    transA: Bool = false, transB: Bool = false, M: Int, N: Int, K: Int, alpha: Float = 1,
    A: UnsafePointer<Float>, lda: Int, B: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, C: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if profileGemm {
      let t0 = monotonicNanos()
      BLAS.gemm(
        transA: transA, transB: transB, M: M, N: N, K: K, alpha: alpha, A: A, lda: lda,
        B: B, ldb: ldb, beta: beta, C: C, ldc: ldc)
      gemmNanos &+= monotonicNanos() &- t0
      gemmFlops += 2 * Double(M) * Double(N) * Double(K)
    } else {
      BLAS.gemm(
        transA: transA, transB: transB, M: M, N: N, K: K, alpha: alpha, A: A, lda: lda,
        B: B, ldb: ldb, beta: beta, C: C, ldc: ldc)
    }
  }
}
