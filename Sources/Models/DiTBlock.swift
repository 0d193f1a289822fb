import Engine

/// One adaLN-Zero transformer block of DiT (Peebles & Xie), parameters in a store.
///
/// Per sample, the conditioning vector c (B, C) (already passed through SiLU, which every
/// block would otherwise recompute) gives six (B, C) vectors through one zero-initialised
/// Linear(C, 6C): shift/scale/gate for attention and for the MLP. With gates at zero the
/// block starts as the identity, which is what makes deep DiTs train stably.
///   x = x + gate_msa ⊙ attn(modulate(LN(x), shift_msa, scale_msa))
///   x = x + gate_mlp ⊙ mlp(modulate(LN(x), shift_mlp, scale_mlp))
/// Tensor names follow DiT's PyTorch module: `<prefix>.attn.qkv`, `<prefix>.attn.proj`,
/// `<prefix>.mlp.fc1`, `<prefix>.mlp.fc2`, `<prefix>.adaLN_modulation.1`.
public struct DiTBlock {
  public let width: Int
  public let heads: Int
  public let qkv: LinearLayer
  public let proj: LinearLayer
  public let fc1: LinearLayer
  public let fc2: LinearLayer
  public let adaLN: LinearLayer

  public init(_ store: ParameterStore, prefix: String, width C: Int, heads: Int, mlpRatio: Int = 4, lora: LoRAConfig? = nil) {
    precondition(C % heads == 0, "width \(C) is not divisible by \(heads) heads")
    width = C
    self.heads = heads
    // LoRA on the attention projections, as Flow-GRPO adapts them.
    qkv = LinearLayer(store, "\(prefix).attn.qkv", in: C, out: 3 * C, lora: lora)
    proj = LinearLayer(store, "\(prefix).attn.proj", in: C, out: C, lora: lora)
    fc1 = LinearLayer(store, "\(prefix).mlp.fc1", in: C, out: mlpRatio * C)
    fc2 = LinearLayer(store, "\(prefix).mlp.fc2", in: mlpRatio * C, out: C)
    adaLN = LinearLayer(store, "\(prefix).adaLN_modulation.1", in: C, out: 6 * C, zeroInit: true)
  }

  /// x (B, T, C), conditioning silu(c) (B, C), optional key mask (B, T) → (B, T, C).
  public func callAsFunction(_ g: Graph, _ x: Tensor, conditioning c: Tensor, keyMask: Tensor? = nil) -> Tensor {
    let B = x.shape[0], C = width
    let mod = adaLN(g, c)  // (B, 6C)
    func chunk(_ i: Int) -> Tensor { g.sliceColumns(mod, rows: B, start: i * C, count: C) }
    let (shiftMSA, scaleMSA, gateMSA) = (chunk(0), chunk(1), chunk(2))
    let (shiftMLP, scaleMLP, gateMLP) = (chunk(3), chunk(4), chunk(5))

    let h1 = g.modulate(g.layerNorm(x), shift: shiftMSA, scale: scaleMSA)
    let attn = proj(g, g.attention(qkv(g, h1), heads: heads, keyMask: keyMask))
    let x1 = g.gatedResidual(x, gate: gateMSA, attn)

    let h2 = g.modulate(g.layerNorm(x1), shift: shiftMLP, scale: scaleMLP)
    let mlp = fc2(g, g.gelu(fc1(g, h2)))
    return g.gatedResidual(x1, gate: gateMLP, mlp)
  }
}
