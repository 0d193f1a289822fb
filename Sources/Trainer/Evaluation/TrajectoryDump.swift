import Engine
import Foundation
import GRPO
import Models
import World

/// One group's SDE trajectory written as safetensors, so a port of the sampler can be checked
/// step by step against ours (docs/weights.md, "Trajectory dumps").
public enum TrajectoryDump {
  /// Samples `count` images of `prompt` with the SDE sampler and writes every step's tensors.
  /// Returns the final images (N, 3, S, S) in [−1, 1].
  @discardableResult
  public static func write(_ generator: Generator, prompt: Prompt, count B: Int, steps N: Int, noiseLevel: Float, shift: Float,
                           reduce: PixelReduction, guidance: Float = 1, seed: UInt64, to path: String) throws -> [Float] {
    let cfg = generator.config, S = cfg.imageSize, L = cfg.promptTokens, D = 3 * S * S
    let (ids, m) = Tokenizer.modelInputs(prompt)
    let tokens = (0..<B).flatMap { _ in ids }, mask = (0..<B).flatMap { _ in m }
    let schedule = SigmaSchedule(steps: N, shift: shift)
    let streams = (0..<B).map { RNG(seed: seed).stream(UInt64($0)) }
    let traj = SDESampler.sample(shape: Shape(B, 3, S, S), schedule: schedule, noiseLevel: noiseLevel, reduce: reduce,
                                 noiseStreams: streams, graph: Graph(), keepVelocities: true) { g, x, t in
      generator.guidedVelocity(g, x: x, t: t, tokens: g.constant(tokens, Shape(B, L)), mask: g.constant(mask, Shape(B, L)),
                               guidance: guidance)
    }
    var file = SafeTensorsFile(metadata: [
      "format": "grpotop-trajectory-1", "prompt": prompt.text, "noise_level": "\(noiseLevel)", "shift": "\(shift)",
      "logprob_reduce": reduce.rawValue, "guidance": "\(guidance)", "seed": "\(seed)",
    ])
    file.tensors.append(SafeTensor(name: "sigmas", shape: [N + 1], values: schedule.sigmas))
    file.tensors.append(SafeTensor(name: "prompt_tokens", shape: [L], values: ids))
    file.tensors.append(SafeTensor(name: "prompt_mask", shape: [L], values: m))
    for k in 0..<N {
      let step = SDEStep(schedule: schedule, step: k, noiseLevel: noiseLevel)
      var mean = [Float](repeating: 0, count: B * D)
      traj.states[k].withUnsafeBufferPointer { xb in
        traj.velocities[k].withUnsafeBufferPointer { vb in
          mean.withUnsafeMutableBufferPointer { mb in
            if let x = xb.baseAddress, let v = vb.baseAddress, let out = mb.baseAddress { step.mean(x: x, v: v, into: out, count: B * D) }
          }
        }
      }
      let shape = [B, 3, S, S]
      file.tensors.append(SafeTensor(name: "step.\(k).x", shape: shape, values: traj.states[k]))
      file.tensors.append(SafeTensor(name: "step.\(k).v", shape: shape, values: traj.velocities[k]))
      file.tensors.append(SafeTensor(name: "step.\(k).mean", shape: shape, values: mean))
      file.tensors.append(SafeTensor(name: "step.\(k).std", shape: [], values: [step.std]))
      file.tensors.append(SafeTensor(name: "step.\(k).next_x", shape: shape, values: traj.states[k + 1]))
      file.tensors.append(SafeTensor(name: "step.\(k).log_prob", shape: [B], values: (0..<B).map { traj.logProb(sample: $0, step: k) }))
    }
    try file.write(to: path, dtype: .f32)
    return traj.final
  }
}
