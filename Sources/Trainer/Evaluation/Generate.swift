import Engine
import GRPO
import Imaging
import Models
import World

/// Images from the generator (or the editor) for a list of prompts, by the deterministic ODE sampler.
public enum Generate {
  /// One image per prompt; sample i's noise comes from stream i of `seed`, so a prompt's
  /// image does not depend on what else is in the batch. Batches of `batchSize` at a time;
  /// `guidance` above 1 samples with classifier-free guidance (two forwards per step).
  /// The editor also takes one content image per prompt (its instruction).
  public static func images(_ generator: Generator, prompts: [Prompt], contents: [RGBImage]? = nil, seed: UInt64, steps: Int = 10,
                            shift: Float = 1, guidance: Float = 1, batchSize: Int = 32, graph: Graph = Graph()) -> [RGBImage] {
    let cfg = generator.config, S = cfg.imageSize, D = cfg.channels * S * S, L = cfg.promptTokens
    precondition(L == Tokenizer.maxTokens, "Generate: generator reads \(L) prompt tokens, the world writes \(Tokenizer.maxTokens)")
    precondition(cfg.hasContent == (contents != nil) && (contents?.count ?? prompts.count) == prompts.count,
                 "Generate: the editor needs one content image per prompt, the generator none")
    let schedule = SigmaSchedule(steps: steps, shift: shift)
    var out: [RGBImage] = []
    out.reserveCapacity(prompts.count)
    let base = RNG(seed: seed)
    for start in stride(from: 0, to: prompts.count, by: batchSize) {
      let chunk = Array(prompts[start..<min(start + batchSize, prompts.count)])
      let B = chunk.count
      var noise = [Float](repeating: 0, count: B * D)
      var tokens = [Float](repeating: 0, count: B * L), mask = [Float](repeating: 0, count: B * L)
      let content = contents.map { c in chunk.indices.flatMap { c[start + $0].planarSigned() } }  // (B, 3, S, S)
      for (b, p) in chunk.enumerated() {
        var r = base.stream(UInt64(start + b))
        noise.withUnsafeMutableBufferPointer { buf in
          if let base = buf.baseAddress { r.fillNormal(base + b * D, count: D) }
        }
        let input = Tokenizer.modelInputs(p)
        tokens.replaceSubrange((b * L)..<((b + 1) * L), with: input.ids)
        mask.replaceSubrange((b * L)..<((b + 1) * L), with: input.mask)
      }
      let x0 = ODESampler.sample(noise: noise, shape: Shape(B, cfg.channels, S, S), schedule: schedule, graph: graph) { g, x, t in
        generator.guidedVelocity(g, x: x, t: t, tokens: g.constant(tokens, Shape(B, L)), mask: g.constant(mask, Shape(B, L)),
                                 content: content.map { g.constant($0, Shape(B, cfg.channels, S, S)) }, guidance: guidance)
      }
      x0.withUnsafeBufferPointer { buf in
        for b in 0..<B {
          out.append(RGBImage(planarSigned: UnsafeBufferPointer(rebasing: buf[(b * D)..<((b + 1) * D)]), width: S, height: S))
        }
      }
    }
    return out
  }
}
