/// A non-owning view of Float32 data with a shape, plus the gradient buffer when one is needed.
///
/// Tensors are plain values (two pointers and an inline shape): creating, copying or
/// reshaping one never allocates or retains. Storage belongs to an `Arena` (activations) or a
/// `ParameterStore` (weights); a tensor is valid until its owner is reset.
/// `grad == nil` means no gradient flows into this tensor (data, or a frozen weight), which
/// lets backward skip whole GEMMs.
public struct Tensor: @unchecked Sendable {
  public let data: UnsafeMutablePointer<Float>
  public let grad: UnsafeMutablePointer<Float>?
  public let shape: Shape

  public init(data: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>?, shape: Shape) {
    self.data = data
    self.grad = grad
    self.shape = shape
  }

  @inlinable public var count: Int { shape.count }
  @inlinable public var requiresGrad: Bool { grad != nil }

  /// The same storage seen with another shape of the same size; gradients stay shared, so a
  /// reshape needs no node on the tape.
  public func reshaped(_ s: Shape) -> Tensor {
    precondition(s.count == count, "cannot reshape \(shape) to \(s)")
    return Tensor(data: data, grad: grad, shape: s)
  }

  /// `reshaped` to (a).
  public func reshaped(_ a: Int) -> Tensor { reshaped(Shape(a)) }
  /// `reshaped` to (a, b).
  public func reshaped(_ a: Int, _ b: Int) -> Tensor { reshaped(Shape(a, b)) }
  /// `reshaped` to (a, b, c).
  public func reshaped(_ a: Int, _ b: Int, _ c: Int) -> Tensor { reshaped(Shape(a, b, c)) }
  /// `reshaped` to (a, b, c, d).
  public func reshaped(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Tensor { reshaped(Shape(a, b, c, d)) }

  /// The same values with gradients cut off (PyTorch's `detach`).
  public func detached() -> Tensor { Tensor(data: data, grad: nil, shape: shape) }

  /// Element `i` of the flat data.
  @inlinable public subscript(i: Int) -> Float {
    get { data[i] }
    nonmutating set { data[i] = newValue }
  }

  /// A copy of the values (allocates; for tests, reports and I/O).
  public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

  /// A copy of the gradient, or zeros when there is none (allocates).
  public func gradArray() -> [Float] {
    guard let grad else { return [Float](repeating: 0, count: count) }
    return Array(UnsafeBufferPointer(start: grad, count: count))
  }

  /// Overwrites the values from `values` (same count).
  public func copy(from values: [Float]) {
    precondition(values.count == count, "copy: \(values.count) values into \(shape)")
    values.withUnsafeBufferPointer { src in
      guard let base = src.baseAddress else { return }
      data.update(from: base, count: count)
    }
  }

  /// The mean of the values, accumulated in Double (for reports and tests).
  public func mean() -> Double {
    var s = 0.0
    for i in 0..<count { s += Double(data[i]) }
    return count == 0 ? 0 : s / Double(count)
  }
}
