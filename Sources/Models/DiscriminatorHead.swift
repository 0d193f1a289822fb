import Engine

/// Adv-GRPO's trainable head on frozen backbone tokens: Linear(d, h) → GELU → Linear(h, 1),
/// one scalar per token, shared by the CLS and patch tokens; optionally prompt-conditioned.
///
/// With a prompt table the CLS score gains a projection term (Miyato & Koyama's projection
/// discriminator): D(cls, y) = mlp(cls) + ⟨e(y), cls⟩, e(y) the mean of the prompt's token
/// rows. The table starts at zero, so a conditioned head begins as the unconditioned one.
/// Patch scores stay unconditioned. Names: `disc.fc1`, `disc.fc2` (a PyTorch `nn.Sequential`
/// of the same layers) and `disc.prompt_embed.weight` [V, d].
public struct DiscriminatorHead {
  public let store: ParameterStore
  let fc1: LinearLayer
  let fc2: LinearLayer
  let promptTable: Param?
  public let inputWidth: Int

  /// `vocabularySize` 0 leaves the head unconditioned (and its parameters as before).
  public init(_ store: ParameterStore, inputWidth d: Int, hidden h: Int, vocabularySize: Int = 0) {
    self.store = store
    inputWidth = d
    fc1 = LinearLayer(store, "disc.fc1", in: d, out: h)
    fc2 = LinearLayer(store, "disc.fc2", in: h, out: 1)
    promptTable = vocabularySize > 0 ? store.declare("disc.prompt_embed.weight", Shape(vocabularySize, d), init: .zeros) : nil
  }

  /// Whether the CLS score reads the prompt.
  public var isConditioned: Bool { promptTable != nil }

  /// features (N·T, d), already L2-normalised → scores (N·T).
  public func callAsFunction(_ g: Graph, _ features: Tensor) -> Tensor {
    let N = features.count / inputWidth
    return fc2(g, g.gelu(fc1(g, features.reshaped(N, inputWidth)))).reshaped(N)
  }

  /// Scores (N·T) of N images' tokens (N·T, d), CLS first in each image, with the projection
  /// term of each image's prompt added to its CLS score: tokens and mask (N, L).
  public func callAsFunction(_ g: Graph, _ features: Tensor, tokensPerImage T: Int, promptTokens: Tensor, promptMask: Tensor) -> Tensor {
    let scores = self(g, features)
    guard let promptTable else { return scores }
    let d = inputWidth, N = features.count / (T * d)
    let cls = g.sliceTokens(features.reshaped(N, T, d), start: 0, count: 1).reshaped(N, d)  // (N, d)
    let e = g.meanPool(g.embedding(promptTokens, table: store[promptTable]), mask: promptMask)  // (N, d)
    let projection = g.linear(g.mul(e, cls), g.filled(Shape(1, d), 1), nil)  // (N, 1): ⟨e, cls⟩
    // Onto the CLS column only: (N, 1) · [1, 0, …, 0] → (N, T).
    var first = [Float](repeating: 0, count: T)
    first[0] = 1
    let placed = g.linear(projection, g.constant(first, Shape(T, 1)), nil)
    return g.add(scores.reshaped(N, T), placed).reshaped(N * T)
  }
}
