import World

/// One iteration's images as the rewards see them: grouped by prompt, G per prompt.
public struct RewardBatch {
  /// (B, 3, S, S) in [−1, 1], prompt-major: images g·G ..< (g+1)·G answer prompts[g].
  public let images: [Float]
  public let imageSize: Int
  public let prompts: [Prompt]
  public let groupSize: Int
  /// Style-GRPO: the content image each prompt's group edits, (P, 3, S, S) in [−1, 1]; nil
  /// for text-to-image runs.
  public let contents: [Float]?

  public init(images: [Float], imageSize: Int, prompts: [Prompt], groupSize: Int, contents: [Float]? = nil) {
    precondition(contents.map { $0.count == prompts.count * 3 * imageSize * imageSize } ?? true, "RewardBatch: one content image per prompt")
    self.images = images
    self.imageSize = imageSize
    self.prompts = prompts
    self.groupSize = groupSize
    self.contents = contents
  }

  /// B.
  public var count: Int { prompts.count * groupSize }
  /// The prompt of image i.
  public func prompt(of i: Int) -> Prompt { prompts[i / groupSize] }
}

/// The one small interface every reward implements: a score per image, higher is better.
public protocol RewardFunction: AnyObject {
  /// The name used in configs (`rewards: [{name, weight}]`) and metrics (`reward/<name>`).
  var name: String { get }
  /// One score per image of the batch.
  func score(_ batch: RewardBatch) -> [Float]
}
