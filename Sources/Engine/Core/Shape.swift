/// A tensor shape of rank 0…4, stored inline so that making a tensor never touches the heap.
public struct Shape: Equatable, Sendable, CustomStringConvertible {
  public let rank: Int
  // Up to four dimensions; unused ones are 1 so products stay correct.
  @usableFromInline let d0: Int, d1: Int, d2: Int, d3: Int

  // Fixed-arity initialisers: a variadic one would build an array, i.e. allocate, per tensor.
  @inlinable public init() { (rank, d0, d1, d2, d3) = (0, 1, 1, 1, 1) }
  @inlinable public init(_ a: Int) { (rank, d0, d1, d2, d3) = (1, a, 1, 1, 1) }
  @inlinable public init(_ a: Int, _ b: Int) { (rank, d0, d1, d2, d3) = (2, a, b, 1, 1) }
  @inlinable public init(_ a: Int, _ b: Int, _ c: Int) { (rank, d0, d1, d2, d3) = (3, a, b, c, 1) }
  @inlinable public init(_ a: Int, _ b: Int, _ c: Int, _ d: Int) { (rank, d0, d1, d2, d3) = (4, a, b, c, d) }

  public init(_ dims: [Int]) {
    precondition(dims.count <= 4, "Shape supports rank ≤ 4, got \(dims)")
    precondition(dims.allSatisfy { $0 >= 0 }, "negative dimension in \(dims)")
    rank = dims.count
    d0 = dims.count > 0 ? dims[0] : 1
    d1 = dims.count > 1 ? dims[1] : 1
    d2 = dims.count > 2 ? dims[2] : 1
    d3 = dims.count > 3 ? dims[3] : 1
  }

  /// The number of elements.
  @inlinable public var count: Int { d0 * d1 * d2 * d3 }

  /// Dimension `i`; negative indices count from the end, as in PyTorch.
  @inlinable public subscript(i: Int) -> Int {
    let j = i < 0 ? rank + i : i
    precondition(j >= 0 && j < rank, "dimension \(i) out of range for rank \(rank)")
    switch j {
    case 0: return d0
    case 1: return d1
    case 2: return d2
    default: return d3
    }
  }

  /// The last dimension (1 for a scalar).
  @inlinable public var last: Int { rank == 0 ? 1 : self[rank - 1] }

  /// Everything but the last dimension, multiplied out: the row count of a (rows, last) view.
  @inlinable public var rows: Int { rank == 0 ? 1 : count / Swift.max(last, 1) }

  /// The same shape with its last dimension replaced (no allocation).
  @inlinable public func replacingLast(_ n: Int) -> Shape {
    switch rank {
    case 0, 1: return Shape(n)
    case 2: return Shape(d0, n)
    case 3: return Shape(d0, d1, n)
    default: return Shape(d0, d1, d2, n)
    }
  }

  /// The shape with one more trailing dimension (no allocation).
  @inlinable public func appending(_ n: Int) -> Shape {
    switch rank {
    case 0: return Shape(n)
    case 1: return Shape(d0, n)
    case 2: return Shape(d0, d1, n)
    default: return Shape(d0, d1, d2, n)
    }
  }

  /// The dimensions as an array (allocates; not for hot loops).
  public var dims: [Int] { (0..<rank).map { self[$0] } }

  public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}
