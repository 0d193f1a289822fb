import Engine

// Classifier-free guidance (Ho & Salimans): the generator is trained with a share of its prompts
// dropped (every token masked, the "null prompt"), so one network gives both the conditional
// velocity v_c and the unconditional v_u. Sampling then follows
//   v = v_u + w · (v_c − v_u)
// which pushes each step further towards what the prompt adds. Flow-GRPO samples and trains
// with w = 4.5 and takes the log-probability of this combined velocity; w = 1 is the plain
// conditional model and costs one forward instead of two.

extension Generator {
  /// The guided velocity v_u + w (v_c − v_u) for x (B, 3, H, W), t (B), tokens and mask (B, L).
  ///
  /// Both branches run as one batch of 2B: [conditional | null prompt]. With `guidance` 1 this
  /// is `velocity` itself. Differentiable in the weights like `velocity`.
  /// The editor's content image (B, 3, H, W), if any, goes to both branches.
  public func guidedVelocity(_ g: Graph, x: Tensor, t: Tensor, tokens: Tensor, mask: Tensor, content: Tensor? = nil,
                             guidance: Float) -> Tensor {
    if guidance == 1 { return velocity(g, x: x, t: t, tokens: tokens, mask: mask, content: content) }
    let B = x.shape[0], D = x.count / B, L = config.promptTokens
    precondition(x.shape.rank == 4, "guidedVelocity: x \(x.shape) is not (B, C, H, W)")
    let nullPrompt = g.filled(Shape(1, B * L), 0)
    // Row-doubled inputs, seen as one long row so the column ops concatenate batches.
    let x2 = g.concatColumns(x.reshaped(1, B * D), x.reshaped(1, B * D), rows: 1).reshaped(2 * B, x.shape[1], x.shape[2], x.shape[3])
    let t2 = g.concatColumns(t.reshaped(1, B), t.reshaped(1, B), rows: 1).reshaped(2 * B)
    let tokens2 = g.concatColumns(tokens.reshaped(1, B * L), nullPrompt, rows: 1).reshaped(2 * B, L)
    let mask2 = g.concatColumns(mask.reshaped(1, B * L), nullPrompt, rows: 1).reshaped(2 * B, L)
    let content2 = content.map {
      g.concatColumns($0.reshaped(1, B * D), $0.reshaped(1, B * D), rows: 1).reshaped(2 * B, x.shape[1], x.shape[2], x.shape[3])
    }
    let v2 = velocity(g, x: x2, t: t2, tokens: tokens2, mask: mask2, content: content2)  // (2B, 3, H, W)
    let conditional = g.sliceColumns(v2, rows: 1, start: 0, count: B * D)  // (1, B·D)
    let unconditional = g.sliceColumns(v2, rows: 1, start: B * D, count: B * D)
    return g.add(g.scale(conditional, guidance), g.scale(unconditional, 1 - guidance)).reshaped(x.shape)
  }
}
