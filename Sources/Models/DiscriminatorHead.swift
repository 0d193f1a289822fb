import Engine

/// Adv-GRPO's trainable head on frozen backbone tokens: Linear(d, h) → GELU → Linear(h, 1),
/// one scalar per token, shared by the CLS and patch tokens.
/// Names: `disc.fc1`, `disc.fc2` (a PyTorch `nn.Sequential` of the same layers).
public struct DiscriminatorHead {
  public let store: ParameterStore
  let fc1: LinearLayer
  let fc2: LinearLayer
  public let inputWidth: Int

  public init(_ store: ParameterStore, inputWidth d: Int, hidden h: Int) {
    self.store = store
    inputWidth = d
    fc1 = LinearLayer(store, "disc.fc1", in: d, out: h)
    fc2 = LinearLayer(store, "disc.fc2", in: h, out: 1)
  }

  /// features (N, d), already L2-normalised → scores (N).
  public func callAsFunction(_ g: Graph, _ features: Tensor) -> Tensor {
    let N = features.count / inputWidth
    return fc2(g, g.gelu(fc1(g, features.reshaped(N, inputWidth)))).reshaped(N)
  }
}
