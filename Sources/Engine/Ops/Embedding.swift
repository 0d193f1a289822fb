extension Graph {
  /// Looks up rows of a table: ids (N) (integers stored as floats) → (N, C) from table (V, C),
  /// like PyTorch's nn.Embedding. Backward scatters into the rows that were used.
  public func embedding(_ ids: Tensor, table: Tensor) -> Tensor {
    let V = table.shape[0], C = table.shape.last, N = ids.count
    let y = output(ids.shape.appending(C), grad: table.requiresGrad)
    for n in 0..<N {
      let id = Int(ids.data[n])
      precondition(id >= 0 && id < V, "embedding: id \(id) outside 0..<\(V)")
      (y.data + n * C).update(from: table.data + id * C, count: C)
    }
    if y.requiresGrad { record(.embedding(ids: ids, table: table, y: y)) }
    return y
  }

  func embeddingBackward(ids: Tensor, table: Tensor, y: Tensor) {
    guard let dy = y.grad, let dt = table.grad else { return }
    let C = table.shape.last
    for n in 0..<ids.count {
      accumulate(dt + Int(ids.data[n]) * C, dy + n * C, C)
    }
  }
}
