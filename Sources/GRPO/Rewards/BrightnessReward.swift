/// A model-free reward: each image's mean brightness, in [0, 1].
///
/// It is not a goal anyone post-trains for; it is the control experiment for the whole loop.
/// The generator can reach it without learning anything about prompts, no learned model sits
/// between the pixels and the score, and its optimum is obvious, so a run on it separates "the
/// policy gradient points the wrong way or does not reach the weights" from "the reward is
/// hard to move". The end-to-end test that GRPO raises a reward uses it.
public final class BrightnessReward: RewardFunction {
  public let name = "brightness"

  public init() {}

  public func score(_ batch: RewardBatch) -> [Float] {
    let D = 3 * batch.imageSize * batch.imageSize
    precondition(batch.images.count == batch.count * D, "brightness: \(batch.images.count) floats for \(batch.count) images")
    return batch.images.withUnsafeBufferPointer { x in
      (0..<batch.count).map { i in
        var sum: Float = 0
        // Clamped as the image is shown (the sampler's output can leave [−1, 1]), so values
        // past white earn nothing; the mean is then mapped to [0, 1].
        for j in (i * D)..<((i + 1) * D) { sum += min(max(x[j], -1), 1) }
        return (sum / Float(D) + 1) * 0.5
      }
    }
  }
}
