import Engine

/// A Vision Transformer's shape: patch embedding, a CLS token, pre-LN blocks.
public struct ViTConfig: Codable, Sendable, Equatable {
  public var imageSize = 32
  public var channels = 3
  public var patch = 4
  public var width = 128
  public var depth = 6
  public var heads = 4
  public var mlpRatio = 4

  public init(imageSize: Int = 32, patch: Int = 4, width: Int = 128, depth: Int = 6, heads: Int = 4, mlpRatio: Int = 4) {
    self.imageSize = imageSize
    self.patch = patch
    self.width = width
    self.depth = depth
    self.heads = heads
    self.mlpRatio = mlpRatio
  }

  /// Patch tokens per image.
  public var patchTokens: Int { (imageSize / patch) * (imageSize / patch) }
}

/// A standard pre-LN transformer block (timm's `Block`): x + attn(LN(x)), then x + mlp(LN(x)).
/// Names: `<prefix>.norm1`, `.attn.qkv`, `.attn.proj`, `.norm2`, `.mlp.fc1`, `.mlp.fc2`.
public struct ViTBlock {
  let store: ParameterStore
  let heads: Int
  let norm1Weight: Param, norm1Bias: Param, norm2Weight: Param, norm2Bias: Param
  let qkv: LinearLayer, proj: LinearLayer, fc1: LinearLayer, fc2: LinearLayer

  public init(_ store: ParameterStore, prefix: String, width C: Int, heads: Int, mlpRatio: Int) {
    self.store = store
    self.heads = heads
    norm1Weight = store.declare("\(prefix).norm1.weight", Shape(C), init: .ones)
    norm1Bias = store.declare("\(prefix).norm1.bias", Shape(C), init: .zeros)
    qkv = LinearLayer(store, "\(prefix).attn.qkv", in: C, out: 3 * C)
    proj = LinearLayer(store, "\(prefix).attn.proj", in: C, out: C)
    norm2Weight = store.declare("\(prefix).norm2.weight", Shape(C), init: .ones)
    norm2Bias = store.declare("\(prefix).norm2.bias", Shape(C), init: .zeros)
    fc1 = LinearLayer(store, "\(prefix).mlp.fc1", in: C, out: mlpRatio * C)
    fc2 = LinearLayer(store, "\(prefix).mlp.fc2", in: mlpRatio * C, out: C)
  }

  /// x (B, T, C) → (B, T, C).
  public func callAsFunction(_ g: Graph, _ x: Tensor) -> Tensor {
    let h1 = g.layerNorm(x, gamma: store[norm1Weight], beta: store[norm1Bias], eps: 1e-6)
    let x1 = g.add(x, proj(g, g.attention(qkv(g, h1), heads: heads)))
    let h2 = g.layerNorm(x1, gamma: store[norm2Weight], beta: store[norm2Bias], eps: 1e-6)
    return g.add(x1, fc2(g, g.gelu(fc1(g, h2))))
  }
}

/// A ViT encoder (the backbone and the judges share it), parameters named as timm's
/// VisionTransformer: `patch_embed.proj`, `cls_token`, `pos_embed`, `blocks.i.*`, `norm`.
///
/// images (B, 3, H, W) in [−1, 1] → patchify (B, N, 48) → patch_embed.proj (B, N, C)
/// → [cls_token | patches] + pos_embed (B, 1 + N, C) → blocks → norm → (B, 1 + N, C).
/// Token 0 is CLS; tokens 1… are the patches in raster order.
public struct ViT {
  public let config: ViTConfig
  public let store: ParameterStore
  let patchEmbed: LinearLayer
  let cls: Param
  let positions: Param
  public let blocks: [ViTBlock]
  let normWeight: Param, normBias: Param

  /// Declares the encoder's parameters under `prefix` ("" for a bare backbone).
  public init(_ config: ViTConfig, store: ParameterStore, prefix: String = "") {
    self.config = config
    self.store = store
    let p = prefix.isEmpty ? "" : prefix + "."
    let C = config.width
    patchEmbed = LinearLayer(store, "\(p)patch_embed.proj", in: config.channels * config.patch * config.patch, out: C)
    cls = store.declare("\(p)cls_token", Shape(1, C), init: .normal(std: 0.02))
    positions = store.declare("\(p)pos_embed", Shape(1 + config.patchTokens, C), init: .normal(std: 0.02))
    blocks = (0..<config.depth).map {
      ViTBlock(store, prefix: "\(p)blocks.\($0)", width: C, heads: config.heads, mlpRatio: config.mlpRatio)
    }
    normWeight = store.declare("\(p)norm.weight", Shape(C), init: .ones)
    normBias = store.declare("\(p)norm.bias", Shape(C), init: .zeros)
  }

  /// Every token's final feature: (B, 1 + N, C), CLS first.
  ///
  /// `masked` replaces chosen patch embeddings by a learned mask token before the positions
  /// are added (iBOT's masked image modelling): `keep` (B, N, C) holds 1 where a patch stays and
  /// 0 where it is masked, `token` (1, C) is the mask embedding. Without it this is the plain ViT.
  public func tokens(_ g: Graph, images: Tensor, masked: (keep: Tensor, token: Tensor)? = nil) -> Tensor {
    let B = images.shape[0], C = config.width
    var input = images
    if config.channels == ImageFeatures.channels && images.shape[1] == 3 {
      // RGB given to a six-channel encoder: add the fixed edge and object-mask channels here,
      // so every caller passes plain images (no gradient reaches them through these).
      input = ImageFeatures.tensor(g, images: images)
    }
    var patches = patchEmbed(g, g.patchify(input, channels: config.channels, patch: config.patch))  // (B, N, C)
    if let (keep, token) = masked {
      // patch·keep + (1 − keep)·token: the token's gradient is the sum over masked slots.
      let dropped = g.constant(keep.shape) { 1 - keep.data[$0] }  // (B, N, C)
      patches = g.add(g.mul(patches, keep), g.mul(dropped, token))
    }
    // The CLS token is one parameter row, repeated per sample by a tiled add onto zeros.
    let clsRows = g.add(g.filled(Shape(B, 1, C), 0), store[cls])  // (B, 1, C)
    var x = g.add(g.concatTokens(clsRows, patches), store[positions])  // (B, 1 + N, C)
    for block in blocks { x = block(g, x) }
    return g.layerNorm(x, gamma: store[normWeight], beta: store[normBias], eps: 1e-6)
  }

  /// The CLS feature (B, C).
  public func cls(_ g: Graph, images: Tensor) -> Tensor {
    let t = tokens(g, images: images)
    return g.sliceTokens(t, start: 0, count: 1).reshaped(t.shape[0], config.width)
  }
}
