import Engine
import GRPO

/// The inputs of one policy-update micro-batch: R (sample, step) rows gathered from the
/// trajectories. The loop keeps one and refills it, so its arrays keep their capacity and
/// the update's hot loop allocates nothing after the first iteration.
final class MicroBatch {
  /// States, next states, old log-probs, advantages, weights and step coefficients (R rows).
  private(set) var rows = PolicyRows(states: [], nextStates: [], oldLogProbs: [], advantages: [], weights: [], steps: [])
  /// σ of each row's step, the generator's time input (R).
  private(set) var times: [Float] = []
  /// Prompt token ids and mask (R, L).
  private(set) var tokens: [Float] = []
  private(set) var mask: [Float] = []
  /// The editor's content image of each row (R, D); empty for the generator.
  private(set) var content: [Float] = []
  /// The LoRA-off reference velocity (R, D), when the KL term is on.
  private(set) var reference: [Float] = []

  /// Gathers `rows` (sample b, step k) of `trajectories`; sample b's prompt (and content
  /// image, (P, D), if any) is b / groupSize; `weight(b, k)` is the row's policy weight.
  func fill(rows selected: ArraySlice<(b: Int, k: Int)>, trajectories traj: SDETrajectories, steps: [SDEStep],
            advantages: [Float], prompts: [(ids: [Float], mask: [Float])], contents: [Float]? = nil, groupSize G: Int, dims D: Int,
            weight: (Int, Int) -> Float = { _, _ in 1 }) {
    // Clear in place: `rows` must stay the only owner of its buffers, or the next append copies.
    rows.states.removeAll(keepingCapacity: true)
    rows.nextStates.removeAll(keepingCapacity: true)
    rows.oldLogProbs.removeAll(keepingCapacity: true)
    rows.advantages.removeAll(keepingCapacity: true)
    rows.weights.removeAll(keepingCapacity: true)
    rows.steps.removeAll(keepingCapacity: true)
    times.removeAll(keepingCapacity: true)
    tokens.removeAll(keepingCapacity: true)
    mask.removeAll(keepingCapacity: true)
    content.removeAll(keepingCapacity: true)
    for (b, k) in selected {
      rows.states.append(contentsOf: traj.states[k][(b * D)..<((b + 1) * D)])
      rows.nextStates.append(contentsOf: traj.states[k + 1][(b * D)..<((b + 1) * D)])
      rows.oldLogProbs.append(traj.logProb(sample: b, step: k))
      rows.advantages.append(advantages[b])
      rows.weights.append(weight(b, k))
      rows.steps.append(steps[k])
      times.append(steps[k].sigma)
      tokens.append(contentsOf: prompts[b / G].ids)
      mask.append(contentsOf: prompts[b / G].mask)
      if let contents { content.append(contentsOf: contents[((b / G) * D)..<((b / G + 1) * D)]) }
    }
  }

  /// Copies the reference velocity out of its graph (which is reset before the policy pass).
  func keepReference(_ velocity: Tensor) {
    reference.removeAll(keepingCapacity: true)
    reference.append(contentsOf: UnsafeBufferPointer(start: velocity.data, count: velocity.count))
  }
}
