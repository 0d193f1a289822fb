/// An endless supply of prompts from one side of the split, in rounds: round r takes
/// `roundSize` prompts from a sampler seeded `seed + r·7919` (same distribution), so a long
/// build of pairs never runs out, and every prompt is a pure function of the base sampler,
/// the side and its position in the stream.
public struct PromptStream {
  let sampler: PromptSampler
  let heldOut: Bool
  let roundSize: Int
  private var pool: [Prompt] = []
  private var position = 0
  private var round: UInt64 = 0

  public init(_ sampler: PromptSampler, heldOut: Bool, roundSize: Int) {
    precondition(roundSize >= 1, "PromptStream: roundSize must be at least 1")
    self.sampler = sampler
    self.heldOut = heldOut
    self.roundSize = roundSize
  }

  /// The next prompt, starting a new round when this one is used up.
  public mutating func next() -> Prompt {
    if position == pool.count {
      let s = PromptSampler(seed: sampler.seed &+ round &* 7919, distribution: sampler.distribution)
      pool = heldOut ? s.heldOut(count: roundSize) : s.training(count: roundSize)
      position = 0
      round += 1
    }
    position += 1
    return pool[position - 1]
  }
}
