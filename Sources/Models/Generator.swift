import Engine

/// The generator's shape: a DiT over image patches with the prompt's tokens in the sequence.
public struct GeneratorConfig: Codable, Sendable, Equatable {
  public var imageSize = 32
  public var channels = 3
  public var patch = 4
  public var width = 128
  public var depth = 6
  public var heads = 4
  /// Prompt vocabulary size (the world's tokenizer decides it).
  public var vocabularySize = 64
  /// Prompt token slots; shorter prompts are padded and masked.
  public var promptTokens = 12
  /// Width of the sinusoidal timestep features fed to the timestep MLP (DiT: 256).
  public var frequencyDim = 256
  /// LoRA on the attention projections, or nil for none.
  public var lora: LoRAConfig? = nil
  /// The editor: a content image's tokens join the sequence (nil or false: the generator).
  /// Optional so that files written before the editor existed still decode.
  public var contentTokens: Bool? = nil

  public init() {}

  /// The tiny test configuration: 16 px, width 32, depth 2.
  public static var tiny: GeneratorConfig {
    var c = GeneratorConfig()
    c.imageSize = 16
    c.width = 32
    c.depth = 2
    c.heads = 2
    c.frequencyDim = 32
    return c
  }

  /// Image tokens per sample: (imageSize / patch)².
  public var imageTokens: Int { (imageSize / patch) * (imageSize / patch) }
  /// Features per patch: channels · patch².
  public var patchFeatures: Int { channels * patch * patch }
  /// Whether the sequence holds a content image's tokens (the editor).
  public var hasContent: Bool { contentTokens ?? false }
  /// Tokens that are always attended to: the image's, and the content image's if any.
  public var visibleTokens: Int { hasContent ? 2 * imageTokens : imageTokens }
}

/// The rectified-flow velocity network: a DiT with in-context prompt tokens and adaLN-Zero.
///
/// Forward (shapes for the default config, B samples):
///   x_t (B, 3, 32, 32) → patchify (B, 64, 48) → x_embedder.proj → + pos_embed   (B, 64, C)
///   tokens (B, 12) → y_embedder.embedding_table + y_embedder.pos_embed          (B, 12, C)
///   sequence = [image tokens | prompt tokens]                                   (B, 76, C)
///   c = t_embedder(t) + y_embedder.pool(mean of real prompt tokens); silu(c)    (B, C)
///   depth × DiTBlock(sequence, silu(c), key mask = [1…1 | prompt mask])
///   The editor (contentTokens) puts the content image's patches between the two, embedded
///   by the same x_embedder.proj and pos_embed plus content_embed (N, C), Kontext-style:
///   sequence = [image | content | prompt]                                        (B, 140, C)
///   final_layer: LN → modulate(shift, scale from silu(c)) → linear → image tokens only
///   → unpatchify → v (B, 3, 32, 32), the predicted ε − x₀.
/// docs/weights.md spells out every tensor and step for a PyTorch port.
public struct Generator {
  public let config: GeneratorConfig
  public let store: ParameterStore
  let patchEmbed: LinearLayer
  let positions: Param
  /// The editor's marker on content tokens (N, C), or nil for the generator.
  let contentPositions: Param?
  let tokenTable: Param
  let tokenPositions: Param
  let timeMLP0: LinearLayer
  let timeMLP2: LinearLayer
  let promptPool: LinearLayer
  public let blocks: [DiTBlock]
  let finalAdaLN: LinearLayer
  let finalLinear: LinearLayer

  /// Declares every parameter in `store` (call `store.allocate` afterwards).
  public init(_ config: GeneratorConfig, store: ParameterStore) {
    self.config = config
    self.store = store
    let C = config.width
    patchEmbed = LinearLayer(store, "x_embedder.proj", in: config.patchFeatures, out: C)
    // Fixed 2-D sin-cos positions, as DiT: a learned table starting at std 0.02 sat ~40× below
    // the patch embeddings and never grew, so the first generator placed objects nowhere in
    // particular (scattered colour patches). Stored in the file like DiT's buffer.
    let grid = config.imageSize / config.patch
    positions = store.declare("pos_embed", Shape(config.imageTokens, C), init: .sinCos2D(grid: grid), trainable: false)
    contentPositions = config.hasContent ? store.declare("content_embed", Shape(config.imageTokens, C), init: .normal(std: 0.02)) : nil
    tokenTable = store.declare("y_embedder.embedding_table.weight", Shape(config.vocabularySize, C), init: .normal(std: 0.02))
    tokenPositions = store.declare("y_embedder.pos_embed", Shape(config.promptTokens, C), init: .normal(std: 0.02))
    promptPool = LinearLayer(store, "y_embedder.pool", in: C, out: C)
    timeMLP0 = LinearLayer(store, "t_embedder.mlp.0", in: config.frequencyDim, out: C)
    timeMLP2 = LinearLayer(store, "t_embedder.mlp.2", in: C, out: C)
    blocks = (0..<config.depth).map {
      DiTBlock(store, prefix: "blocks.\($0)", width: C, heads: config.heads, lora: config.lora)
    }
    finalAdaLN = LinearLayer(store, "final_layer.adaLN_modulation.1", in: C, out: 2 * C, zeroInit: true)
    finalLinear = LinearLayer(store, "final_layer.linear", in: C, out: config.patchFeatures, zeroInit: true)
  }

  /// The predicted velocity v = ε − x₀ at time t.
  ///
  /// x (B, 3, H, W) in the flow's units, t (B) in [0, 1] (1 = pure noise), tokens (B, L)
  /// ids as floats, mask (B, L) 1 for real tokens; content (B, 3, H, W) in [-1, 1] for the
  /// editor, nil for the generator.
  public func velocity(_ g: Graph, x: Tensor, t: Tensor, tokens: Tensor, mask: Tensor, content: Tensor? = nil) -> Tensor {
    let B = x.shape[0], C = config.width, N = config.imageTokens, L = config.promptTokens
    precondition(tokens.count == B * L && mask.count == B * L, "velocity: tokens \(tokens.shape) for B=\(B), L=\(L)")
    precondition((content != nil) == config.hasContent && (content?.count ?? x.count) == x.count,
                 "velocity: the editor needs a content image the size of x, the generator none")

    let patches = g.patchify(x, channels: config.channels, patch: config.patch)  // (B, N, 48)
    var image = g.add(patchEmbed(g, patches), store[positions])  // (B, N, C)
    if let content, let contentPositions {
      let cp = g.patchify(content, channels: config.channels, patch: config.patch)  // (B, N, 48)
      let contentEmbedded = g.add(g.add(patchEmbed(g, cp), store[positions]), store[contentPositions])  // (B, N, C)
      image = g.concatTokens(image, contentEmbedded)  // (B, 2N, C)
    }
    let prompt = g.add(g.embedding(tokens, table: store[tokenTable]), store[tokenPositions])  // (B, L, C)

    let timeFeatures = g.timestepEmbedding(t, dim: config.frequencyDim)  // (B, 256)
    let timeEmbedding = timeMLP2(g, g.silu(timeMLP0(g, timeFeatures)))  // (B, C)
    let pooled = promptPool(g, g.meanPool(prompt, mask: mask))  // (B, C)
    let c = g.silu(g.add(timeEmbedding, pooled))  // (B, C), shared by every block

    var h = g.concatTokens(image, prompt)  // (B, V + L, C), V = N or 2N
    let keyMask = sequenceMask(g, promptMask: mask, batch: B)
    for block in blocks { h = block(g, h, conditioning: c, keyMask: keyMask) }

    let mod = finalAdaLN(g, c)  // (B, 2C): shift, scale
    let shift = g.sliceColumns(mod, rows: B, start: 0, count: C)
    let scale = g.sliceColumns(mod, rows: B, start: C, count: C)
    let imageOut = g.sliceTokens(h, start: 0, count: N)  // (B, N, C)
    let out = finalLinear(g, g.modulate(g.layerNorm(imageOut), shift: shift, scale: scale))  // (B, N, 48)
    return g.unpatchify(out, channels: config.channels, patch: config.patch, height: config.imageSize, width: config.imageSize)
  }

  /// The attention key mask over [image (| content) | prompt] tokens: image and content
  /// tokens always count.
  func sequenceMask(_ g: Graph, promptMask: Tensor, batch B: Int) -> Tensor {
    let N = config.visibleTokens, L = config.promptTokens
    let m = g.output(Shape(B, N + L), grad: false)
    for b in 0..<B {
      (m.data + b * (N + L)).initialize(repeating: 1, count: N)
      (m.data + b * (N + L) + N).update(from: promptMask.data + b * L, count: L)
    }
    return m
  }
}
