import Engine
import Foundation

// Pref-GRPO's pairwise judge (ALGORITHMS.md §4, WORLD.md "preference"): given two images of
// one prompt, the probability that the first is the better render of it. The backbone is our
// frozen self-supervised ViT; only this head and its prompt embedding train. It scores each
// image against the prompt, s = ⟨u(f), e(prompt) + c⟩, and compares: ℓ(a, b) = s_a − s_b
// (Bradley–Terry). The prompt embedding is a mean of word vectors, so the score is a sum of
// per-word "how much does this image show <word>" terms plus a prompt-free quality term c:
// that composes to unseen colour-shape pairs, where an MLP over [f_a, f_b, f_a − f_b, prompt]
// memorised its 7200 training pairs (98 % train, 69 % held out). ℓ is antisymmetric, so
// P(a ≻ b) + P(b ≻ a) = 1 and the order of a pair cannot matter.

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
  /// Side of the grid of mean-pooled patch tokens read beside the CLS token (0 = CLS only).
  /// The CLS token of a crop-invariant DINO backbone barely says where an object is or how
  /// many there are (position and count pairs sat at chance with CLS alone); the patch tokens
  /// do, and a 4 × 4 grid keeps that at a sixteenth of the tokens.
  public var grid = 4
  /// Width each grid cell is projected to (one Linear shared by all cells) before the MLP,
  /// so the head stays small however wide the backbone is.
  public var cellDim = 16

  public init(featureDim: Int = 128, embedDim: Int = 64, hidden: Int = 256, vocabularySize: Int = 50, promptTokens: Int = 12,
              grid: Int = 4, cellDim: Int = 16) {
    self.featureDim = featureDim
    self.embedDim = embedDim
    self.hidden = hidden
    self.vocabularySize = vocabularySize
    self.promptTokens = promptTokens
    self.grid = grid
    self.cellDim = cellDim
  }

  /// A config without the grid keys (as written before they existed) means grid 0: CLS only.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    featureDim = try c.decode(Int.self, forKey: .featureDim)
    embedDim = try c.decode(Int.self, forKey: .embedDim)
    hidden = try c.decode(Int.self, forKey: .hidden)
    vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
    promptTokens = try c.decode(Int.self, forKey: .promptTokens)
    grid = try c.decodeIfPresent(Int.self, forKey: .grid) ?? 0
    cellDim = try c.decodeIfPresent(Int.self, forKey: .cellDim) ?? 0
  }

  /// Grid cells read per image.
  public var cells: Int { grid * grid }

  /// Width of one image's stored feature: the CLS token then every grid cell, each featureDim wide.
  public var imageFeatureWidth: Int { featureDim * (1 + cells) }

  /// Width of one image's feature after the cell projection.
  public var projectedWidth: Int { featureDim + cells * cellDim }
}

/// P(a ≻ b | prompt) = σ(s_a − s_b), s = ⟨fc2(GELU(fc1(x))), e(prompt) + prompt_bias⟩.
///
/// x = the frozen backbone's L2-normalised CLS token followed by its L2-normalised patch
/// tokens mean-pooled on a `grid` × `grid` layout, standardised, each cell projected by
/// `head.cell_proj` (B, featureDim + cells·cellDim); e(prompt) = mean of `prompt_embed.weight`
/// rows over the prompt's real tokens (B, embedDim). Names: `prompt_embed.weight` [V, E],
/// `head.input_shift`, `head.input_scale` [featureDim·(1 + cells)] and `head.cell_proj`
/// [cellDim, featureDim] (only with a grid), `head.fc1` [hidden, projectedWidth],
/// `head.fc2` [E, hidden], `head.prompt_bias` [E].
public struct PreferenceHead {
  public let config: PreferenceHeadConfig
  public let store: ParameterStore
  let table: Param
  /// Standardisation and cell projection (only with a grid: grid 0 feeds the CLS token as is).
  let input: GridFeatureInput
  let fc1: LinearLayer
  let fc2: LinearLayer
  let promptBias: Param

  /// Declares the head's parameters in `store` (allocate it afterwards).
  public init(_ config: PreferenceHeadConfig, store: ParameterStore) {
    self.config = config
    self.store = store
    table = store.declare("prompt_embed.weight", Shape(config.vocabularySize, config.embedDim), init: .normal(std: 0.1))
    input = GridFeatureInput(store, featureDim: config.featureDim, grid: config.grid, cellDim: config.cellDim, standardised: config.grid > 0)
    fc1 = LinearLayer(store, "head.fc1", in: config.projectedWidth, out: config.hidden)
    fc2 = LinearLayer(store, "head.fc2", in: config.hidden, out: config.embedDim)
    promptBias = store.declare("head.prompt_bias", Shape(config.embedDim), init: .zeros)
  }

  /// The backbone features the head compares, images (B, 3, H, W) → (B, imageFeatureWidth):
  /// see `readout`. The backbone is frozen: this runs without a tape.
  public static func features(_ g: Graph, backbone: ViT, images: Tensor, grid: Int) -> Tensor {
    let B = images.shape[0], C = backbone.config.width, T = 1 + backbone.config.patchTokens
    let recording = g.recording
    g.recording = false
    defer { g.recording = recording }
    let tokens = g.l2Normalize(backbone.tokens(g, images: images)).toArray()  // (B, T, C)
    let side = backbone.config.imageSize / backbone.config.patch
    return g.constant(readout(tokens: tokens, count: B, tokens: T, width: C, side: side, grid: grid), Shape(B, C * (1 + grid * grid)))
  }

  /// One image's feature from its L2-normalised tokens (N, 1 + side², C), CLS first:
  /// [CLS | mean of the patch tokens in each of grid × grid cells, raster order] (N, C·(1 + grid²)).
  /// A patch (row r, column c) belongs to cell (r·grid / side, c·grid / side), so any grid up to
  /// `side` works even when it does not divide it.
  public static func readout(tokens: [Float], count N: Int, tokens T: Int, width C: Int, side: Int, grid G: Int) -> [Float] {
    precondition(tokens.count == N * T * C && T == 1 + side * side && G >= 0 && G <= side,
                 "PreferenceHead.readout: \(tokens.count) values for \(N)×\(T)×\(C), side \(side), grid \(G)")
    let W = C * (1 + G * G)
    var out = [Float](repeating: 0, count: N * W)
    var members = [Float](repeating: 0, count: G * G)
    for r in 0..<side { for c in 0..<side { members[(r * G / side) * G + c * G / side] += 1 } }
    for n in 0..<N {
      let src = n * T * C, dst = n * W
      for k in 0..<C { out[dst + k] = tokens[src + k] }
      for r in 0..<side {
        for c in 0..<side {
          let cell = (r * G / side) * G + c * G / side
          let t = src + (1 + r * side + c) * C, o = dst + (1 + cell) * C
          let w = 1 / members[cell]
          for k in 0..<C { out[o + k] += w * tokens[t + k] }
        }
      }
    }
    return out
  }

  /// The head's features from L2-normalised tokens (N, 1 + side², C) computed elsewhere (the
  /// rewards compute every token once for all judges).
  public func features(tokens: [Float], count N: Int, tokens T: Int, width C: Int) -> [Float] {
    let side = Int(Double(T - 1).squareRoot().rounded())
    return PreferenceHead.readout(tokens: tokens, count: N, tokens: T, width: C, side: side, grid: config.grid)
  }

  /// Sets the frozen standardisation from training features (N, imageFeatureWidth).
  public func standardise(from features: [Float], count N: Int) {
    input.standardise(store, from: features, count: N, name: "PreferenceHead")
  }

  /// The prompt embedding: tokens (B, L) ids as floats, mask (B, L) → (B, E).
  public func promptEmbedding(_ g: Graph, tokens: Tensor, mask: Tensor) -> Tensor {
    let rows = g.embedding(tokens, table: store[table])  // (B, L, E)
    return g.meanPool(rows, mask: mask)
  }

  /// Logits of P(a ≻ b): fa, fb (B, imageFeatureWidth), tokens and mask (B, L) → (B).
  public func logits(_ g: Graph, fa: Tensor, fb: Tensor, tokens: Tensor, mask: Tensor) -> Tensor {
    let B = fa.shape[0], F = config.imageFeatureWidth
    precondition(fa.count == B * F && fb.count == B * F, "PreferenceHead: features \(fa.shape), \(fb.shape), expected (B, \(F))")
    let query = g.add(promptEmbedding(g, tokens: tokens, mask: mask), store[promptBias])  // (B, E)
    return g.sub(score(g, fa, query: query), score(g, fb, query: query))
  }

  /// Each image's match to its prompt: features (B, imageFeatureWidth), query (B, E) → (B).
  func score(_ g: Graph, _ f: Tensor, query: Tensor) -> Tensor {
    let B = f.shape[0], E = config.embedDim
    let u = fc2(g, g.gelu(fc1(g, input.project(g, store, f))))  // (B, E)
    // Row-wise dot product as a matrix product with a column of ones.
    return g.linear(g.mul(u, query), g.filled(Shape(1, E), 1), nil).reshaped(B)
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
    let G = features.shape[0], F = config.imageFeatureWidth, L = config.promptTokens
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
