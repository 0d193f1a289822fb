import Engine
import GRPO
import RunProtocol
import World

// Style-GRPO's first stage (ALGORITHMS.md §5): supervised fine-tuning of the editor's LoRA on
// perfect pairs, by the same flow-matching loss the editor was pretrained with,
// ‖v_θ(x_t, t | content, instruction) − (ε − x₀)‖² with x₀ the style applied to the content.
// It runs as the first `style.sft_iterations` iterations of the run, one optimizer step
// each, so pause, step, checkpoints and resume work on it exactly as on GRPO iterations.
// The stage change to GRPO is one phase event with stage "grpo", emitted by the first GRPO
// iteration; the first SFT iteration's phase event carries stage "sft".

extension GRPOLoop {
  /// One SFT iteration: `style.sft_batch` perfect pairs from the task pool, in turn.
  func sftIteration(_ i: Int, tasks: [EditPair], rng: RNG) throws -> IterationSummary {
    let c = config, gen = models.generator, B = c.style.sftBatch
    let S = gen.config.imageSize, D = 3 * S * S, L = gen.config.promptTokens
    try boundary(.sft, self)
    emit(.phase(PhaseChange(iteration: i, phase: .sft, stage: i == 0 ? "sft" : nil)))
    optimizer.config.lr = c.style.sftLr

    // x_t = (1 − t)·x₀ + t·ε and v = ε − x₀, every draw from this iteration's stream.
    var r = rng
    var noisy = [Float](repeating: 0, count: B * D), target = noisy, content = noisy
    var times = [Float](repeating: 0, count: B), tokens = [Float](repeating: 0, count: B * L), mask = tokens
    for b in 0..<B {
      let n = (i * B + b) % tasks.count
      let x0 = styleTargets[n]
      let t = r.uniform()
      times[b] = t
      for j in 0..<D {
        let eps = r.normal()
        noisy[b * D + j] = (1 - t) * x0[j] + t * eps
        target[b * D + j] = eps - x0[j]
      }
      content.replaceSubrange((b * D)..<((b + 1) * D), with: styleContents[n])
      let input = Tokenizer.modelInputs(tasks[n].instruction)
      tokens.replaceSubrange((b * L)..<((b + 1) * L), with: input.ids)
      mask.replaceSubrange((b * L)..<((b + 1) * L), with: input.mask)
    }

    let g = graph
    g.reset()
    gen.store.zeroGrads()
    let v = gen.velocity(g, x: g.constant(noisy, Shape(B, 3, S, S)), t: g.constant(times, Shape(B)),
                         tokens: g.constant(tokens, Shape(B, L)), mask: g.constant(mask, Shape(B, L)),
                         content: g.constant(content, Shape(B, 3, S, S)))
    let loss = g.mse(v, g.constant(target, Shape(B, 3, S, S)))
    g.backward(from: loss)
    let norm = gen.store.clipGradNorm(c.grpo.gradClip)
    optimizer.update()
    let lossValue = loss[0]
    g.reset()

    let metrics: [String: Double] = [
      "sft_loss": Double(lossValue), "grad_norm": Double(norm),
      "lr": Double(optimizer.config.lr.description) ?? Double(optimizer.config.lr),
    ]
    emit(.stepMetrics(Metrics(iteration: i, step: optimizer.step, values: metrics)))
    emit(.iterationMetrics(Metrics(iteration: i, values: metrics)))
    iteration += 1
    return IterationSummary(iteration: i, rewardMean: 0, metrics: metrics)
  }
}
