import Engine
import Foundation

// Pref-GRPO's pairwise judge (ALGORITHMS.md §4, WORLD.md "preference"): given two images of
// one prompt, the probability that the first is the better render of it. The backbone is our
// frozen self-supervised ViT; only this head and its prompt embedding train. The head sees
// both features and their difference, so it can compare directly, and the prompt, so it can
// tell *which* differences matter (a red circle beats a blue one only if red was asked for).
// It is not antisymmetric by construction; training uses both orders and scoring averages
// P(a ≻ b) with 1 − P(b ≻ a), so neither side has an advantage.

/// The preference head's shape.
public struct PreferenceHeadConfig: Codable, Sendable, Equatable {
  /// Width of the backbone feature f (the ViT's width).
  public var featureDim = 128
  /// Width of the learned prompt-token embedding.
  public var embedDim = 64
  /// Hidden width of the head's MLP.
  public var hidden = 256
  /// Prompt vocabulary size (the world's tokenizer decides it).
  public var vocabularySize = 50
  /// Prompt token slots (padded and masked).
  public var promptTokens = 12

  public init(featureDim: Int = 128, embedDim: Int = 64, hidden: Int = 256, vocabularySize: Int = 50, promptTokens: Int = 12) {
    self.featureDim = featureDim
    self.embedDim = embedDim
    self.hidden = hidden
    self.vocabularySize = vocabularySize
    self.promptTokens = promptTokens
  }

  /// Width of the head's input [f_a, f_b, f_a − f_b, prompt].
  public var inputDim: Int { 3 * featureDim + embedDim }
}

/// P(a ≻ b | prompt) = σ(head([f_a, f_b, f_a − f_b, e(prompt)])), head = Linear → GELU → Linear(·, 1).
///
/// f = L2-normalised CLS feature of the frozen backbone (B, featureDim); e(prompt) = mean of
/// `prompt_embed.weight` rows over the prompt's real tokens (B, embedDim). Names:
/// `prompt_embed.weight` [V, E], `head.fc1` [hidden, 3F + E], `head.fc2` [1, hidden].
public struct PreferenceHead {
  public let config: PreferenceHeadConfig
  public let store: ParameterStore
  let table: Param
  let fc1: LinearLayer
  let fc2: LinearLayer

  /// Declares the head's parameters in `store` (allocate it afterwards).
  public init(_ config: PreferenceHeadConfig, store: ParameterStore) {
    self.config = config
    self.store = store
    table = store.declare("prompt_embed.weight", Shape(config.vocabularySize, config.embedDim), init: .normal(std: 0.1))
    fc1 = LinearLayer(store, "head.fc1", in: config.inputDim, out: config.hidden)
    fc2 = LinearLayer(store, "head.fc2", in: config.hidden, out: 1)
  }

  /// The backbone feature the head compares: L2-normalised CLS, images (B, 3, H, W) → (B, F).
  /// The backbone is frozen, so run this with recording off or on a frozen store.
  public static func features(_ g: Graph, backbone: ViT, images: Tensor) -> Tensor {
    g.l2Normalize(backbone.cls(g, images: images))
  }

  /// The prompt embedding: tokens (B, L) ids as floats, mask (B, L) → (B, E).
  public func promptEmbedding(_ g: Graph, tokens: Tensor, mask: Tensor) -> Tensor {
    let rows = g.embedding(tokens, table: store[table])  // (B, L, E)
    return g.meanPool(rows, mask: mask)
  }

  /// Logits of P(a ≻ b): fa, fb (B, F), tokens and mask (B, L) → (B).
  public func logits(_ g: Graph, fa: Tensor, fb: Tensor, tokens: Tensor, mask: Tensor) -> Tensor {
    let B = fa.shape[0], F = config.featureDim
    precondition(fa.count == B * F && fb.count == B * F, "PreferenceHead: features \(fa.shape), \(fb.shape), expected (B, \(F))")
    let pair = g.concatColumns(g.concatColumns(fa, fb, rows: B), g.sub(fa, fb), rows: B)  // (B, 3F)
    let x = g.concatColumns(pair, promptEmbedding(g, tokens: tokens, mask: mask), rows: B)  // (B, 3F + E)
    return fc2(g, g.gelu(fc1(g, x))).reshaped(B)
  }

  /// Order-averaged P(a ≻ b) = ½·(σ(ℓ(a, b)) + 1 − σ(ℓ(b, a))) per row, as Pref-GRPO scores
  /// pairs: fa, fb (B, F) → B probabilities (forward only).
  public func probability(_ g: Graph, fa: Tensor, fb: Tensor, tokens: Tensor, mask: Tensor) -> [Float] {
    let ab = logits(g, fa: fa, fb: fb, tokens: tokens, mask: mask)
    let ba = logits(g, fa: fb, fb: fa, tokens: tokens, mask: mask)
    return (0..<ab.count).map { 0.5 * (sigmoid(ab[$0]) + 1 - sigmoid(ba[$0])) }
  }

  /// Every ordered pair of a group of one prompt, judged at once: features (G, F) of the
  /// group's images, tokens and mask (L) of the prompt → P (G, G) row-major with
  /// P[i][j] = order-averaged P(i ≻ j), P[j][i] = 1 − P[i][j] and ½ on the diagonal.
  /// The G·(G − 1)/2 unordered pairs go through the head as one batch (forward only).
  public func groupMatrix(_ g: Graph, features: Tensor, tokens: [Float], mask: [Float]) -> [Float] {
    let G = features.shape[0], F = config.featureDim, L = config.promptTokens
    precondition(tokens.count == L && mask.count == L, "groupMatrix: one prompt of \(L) tokens expected")
    var out = [Float](repeating: 0.5, count: G * G)
    var pairs: [(Int, Int)] = []
    for i in 0..<G { for j in 0..<G where j > i { pairs.append((i, j)) } }
    guard !pairs.isEmpty else { return out }
    let P = pairs.count
    var a = [Float](repeating: 0, count: P * F), b = a
    for (n, (i, j)) in pairs.enumerated() {
      for c in 0..<F {
        a[n * F + c] = features[i * F + c]
        b[n * F + c] = features[j * F + c]
      }
    }
    let t = g.constant(Array((0..<P).map { _ in tokens }.joined()), Shape(P, L))
    let m = g.constant(Array((0..<P).map { _ in mask }.joined()), Shape(P, L))
    let p = probability(g, fa: g.constant(a, Shape(P, F)), fb: g.constant(b, Shape(P, F)), tokens: t, mask: m)
    for (n, (i, j)) in pairs.enumerated() {
      out[i * G + j] = p[n]
      out[j * G + i] = 1 - p[n]
    }
    return out
  }
}

/// The logistic function, for turning logits into probabilities outside the graph.
@inline(__always) func sigmoid(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
