/// One recorded op: its inputs, its output and whatever its backward needs.
///
/// An enum rather than closures: recording a node copies a few pointers into an array that
/// keeps its capacity across steps, so the tape itself never allocates after warm-up.
@usableFromInline enum Node {
  case linear(x: Tensor, w: Tensor, b: Tensor?, lora: LoRA?, mid: Tensor?, y: Tensor)
  case layerNorm(x: Tensor, gamma: Tensor?, beta: Tensor?, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, y: Tensor)
  case modulate(x: Tensor, shift: Tensor, scale: Tensor, y: Tensor)
  case gatedResidual(x: Tensor, gate: Tensor, y: Tensor, out: Tensor)
  case attention(qkv: Tensor, heads: Int, probs: UnsafeMutablePointer<Float>, out: Tensor)
  case gelu(x: Tensor, y: Tensor)
  case silu(x: Tensor, y: Tensor)
  case crossEntropy(logits: Tensor, targets: Tensor, probs: UnsafeMutablePointer<Float>, loss: Tensor)
  case softCrossEntropy(logits: Tensor, targets: Tensor, probs: UnsafeMutablePointer<Float>, loss: Tensor)
  case binaryCrossEntropy(logits: Tensor, targets: Tensor, loss: Tensor)
  case logSigmoid(x: Tensor, y: Tensor)
  case hinge(x: Tensor, sign: Float, loss: Tensor)
  case mse(a: Tensor, b: Tensor, loss: Tensor)
  case patchify(images: Tensor, channels: Int, patch: Int, tokens: Tensor)
  case unpatchify(tokens: Tensor, channels: Int, patch: Int, images: Tensor)
  case embedding(ids: Tensor, table: Tensor, y: Tensor)
  case concatColumns(a: Tensor, b: Tensor, rows: Int, y: Tensor)
  case sliceColumns(x: Tensor, rows: Int, start: Int, y: Tensor)
  case meanPool(x: Tensor, mask: Tensor?, weights: UnsafeMutablePointer<Float>, y: Tensor)
  case l2Normalize(x: Tensor, invNorm: UnsafeMutablePointer<Float>, y: Tensor)
  case gaussianLogProb(sample: Tensor, mean: Tensor, std: Tensor, reduce: PixelReduction, y: Tensor)
  case add(a: Tensor, b: Tensor, y: Tensor)
  case sub(a: Tensor, b: Tensor, y: Tensor)
  case mul(a: Tensor, b: Tensor, y: Tensor)
  case scaleRows(x: Tensor, s: Tensor, y: Tensor)
  case scale(x: Tensor, c: Float, y: Tensor)
  case exp(x: Tensor, y: Tensor)
  case clamp(x: Tensor, lo: Float, hi: Float, y: Tensor)
  case maximum(a: Tensor, b: Tensor, y: Tensor)
  case sum(x: Tensor, c: Float, y: Tensor)
}

extension Graph {
  /// Dispatches one node to its op's backward, which lives beside its forward.
  @usableFromInline func runBackward(_ node: Node) {
    switch node {
    case let .linear(x, w, b, lora, mid, y): linearBackward(x: x, w: w, b: b, lora: lora, mid: mid, y: y)
    case let .layerNorm(x, gamma, beta, mean, rstd, y):
      layerNormBackward(x: x, gamma: gamma, beta: beta, mean: mean, rstd: rstd, y: y)
    case let .modulate(x, shift, scale, y): modulateBackward(x: x, shift: shift, scale: scale, y: y)
    case let .gatedResidual(x, gate, y, out): gatedResidualBackward(x: x, gate: gate, y: y, out: out)
    case let .attention(qkv, heads, probs, out): attentionBackward(qkv: qkv, heads: heads, probs: probs, out: out)
    case let .gelu(x, y): geluBackward(x: x, y: y)
    case let .silu(x, y): siluBackward(x: x, y: y)
    case let .crossEntropy(logits, targets, probs, loss):
      crossEntropyBackward(logits: logits, targets: targets, probs: probs, loss: loss)
    case let .softCrossEntropy(logits, targets, probs, loss):
      softCrossEntropyBackward(logits: logits, targets: targets, probs: probs, loss: loss)
    case let .binaryCrossEntropy(logits, targets, loss):
      binaryCrossEntropyBackward(logits: logits, targets: targets, loss: loss)
    case let .logSigmoid(x, y): logSigmoidBackward(x: x, y: y)
    case let .hinge(x, sign, loss): hingeBackward(x: x, sign: sign, loss: loss)
    case let .mse(a, b, loss): mseBackward(a: a, b: b, loss: loss)
    case let .patchify(images, channels, patch, tokens):
      patchifyBackward(images: images, channels: channels, patch: patch, tokens: tokens)
    case let .unpatchify(tokens, channels, patch, images):
      unpatchifyBackward(tokens: tokens, channels: channels, patch: patch, images: images)
    case let .embedding(ids, table, y): embeddingBackward(ids: ids, table: table, y: y)
    case let .concatColumns(a, b, rows, y): concatColumnsBackward(a: a, b: b, rows: rows, y: y)
    case let .sliceColumns(x, rows, start, y): sliceColumnsBackward(x: x, rows: rows, start: start, y: y)
    case let .meanPool(x, mask, weights, y): meanPoolBackward(x: x, mask: mask, weights: weights, y: y)
    case let .l2Normalize(x, invNorm, y): l2NormalizeBackward(x: x, invNorm: invNorm, y: y)
    case let .gaussianLogProb(sample, mean, std, reduce, y):
      gaussianLogProbBackward(sample: sample, mean: mean, std: std, reduce: reduce, y: y)
    case let .add(a, b, y): addBackward(a: a, b: b, y: y)
    case let .sub(a, b, y): subBackward(a: a, b: b, y: y)
    case let .mul(a, b, y): mulBackward(a: a, b: b, y: y)
    case let .scaleRows(x, s, y): scaleRowsBackward(x: x, s: s, y: y)
    case let .scale(x, c, y): scaleBackward(x: x, c: c, y: y)
    case let .exp(x, y): expBackward(x: x, y: y)
    case let .clamp(x, lo, hi, y): clampBackward(x: x, lo: lo, hi: hi, y: y)
    case let .maximum(a, b, y): maximumBackward(a: a, b: b, y: y)
    case let .sum(x, c, y): sumBackward(x: x, c: c, y: y)
    }
  }
}
