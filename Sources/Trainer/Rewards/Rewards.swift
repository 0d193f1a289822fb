import Engine
import GRPO
import Models
import World

/// Flow-GRPO's plain reward: judge-a's partial credit for each image against its prompt (the
/// mean probability of the classes the prompt asks for; see `Alignment.partialCredit`).
public final class AlignmentReward: RewardFunction {
  public let name = "alignment"
  let judge: AttributeJudge
  let graph = Graph()

  public init(judge: AttributeJudge) { self.judge = judge }

  public func score(_ batch: RewardBatch) -> [Float] {
    let prompts = (0..<batch.count).map { batch.prompt(of: $0) }
    return judge.partialCredit(prompts: prompts, images: batch.images, graph: graph)
  }
}

/// The "aesthetic" term: 1 − the quality regressor's mean predicted degradation.
public final class QualityReward: RewardFunction {
  public let name = "quality"
  let regressor: QualityRegressor
  let graph = Graph()

  public init(regressor: QualityRegressor) { self.regressor = regressor }

  public func score(_ batch: RewardBatch) -> [Float] { regressor.quality(images: batch.images, graph: graph) }
}

/// Pref-GRPO's reward: each image's win rate in its group under the preference model, every
/// ordered pair judged (both orders averaged inside `groupWinRates`).
public final class WinRateReward: RewardFunction {
  public let name = "winrate"
  let features: BackboneFeatures
  let head: PreferenceHead
  let tieMargin: Float
  let graph = Graph()

  public init(features: BackboneFeatures, head: PreferenceHead, tieMargin: Float) {
    self.features = features
    self.head = head
    self.tieMargin = tieMargin
  }

  public func score(_ batch: RewardBatch) -> [Float] {
    let G = batch.groupSize, F = head.config.imageFeatureWidth, L = Tokenizer.maxTokens
    let t = features.tokens(batch.images)
    let f = head.features(tokens: t.values, count: t.count, tokens: t.tokens, width: t.width)  // (B, F): CLS and grid cells
    var out: [Float] = []
    graph.recording = false
    for (p, prompt) in batch.prompts.enumerated() {
      // All ordered pairs (a, b), a ≠ b, in one forward: P(a ≻ b) for each.
      var fa: [Float] = [], fb: [Float] = [], pairs: [(Int, Int)] = []
      for a in 0..<G {
        for b in 0..<G where a != b {
          fa += f[((p * G + a) * F)..<((p * G + a + 1) * F)]
          fb += f[((p * G + b) * F)..<((p * G + b + 1) * F)]
          pairs.append((a, b))
        }
      }
      let (ids, mask) = Tokenizer.modelInputs(prompt)
      let R = pairs.count
      graph.reset()
      var tokens = [Float](), masks = [Float]()
      for _ in 0..<R {
        tokens += ids
        masks += mask
      }
      let logits = head.logits(graph, fa: graph.constant(fa, Shape(R, F)), fb: graph.constant(fb, Shape(R, F)),
                               tokens: graph.constant(tokens, Shape(R, L)), mask: graph.constant(masks, Shape(R, L)))
      var matrix = [Float](repeating: 0.5, count: G * G)
      for (r, (a, b)) in pairs.enumerated() { matrix[a * G + b] = 1 / (1 + FastMath.exp(-logits[r])) }
      out += groupWinRates(groupSize: G, tieMargin: tieMargin) { a, b in matrix[a * G + b] }
    }
    graph.reset()
    return out
  }
}

/// Adv-GRPO's reward: the discriminator's score of the image's backbone tokens.
public final class AdversarialReward: RewardFunction {
  public let name = "discriminator"
  public let features: BackboneFeatures
  public let discriminator: Discriminator

  public init(features: BackboneFeatures, discriminator: Discriminator) {
    self.features = features
    self.discriminator = discriminator
  }

  public func score(_ batch: RewardBatch) -> [Float] {
    let prompts = discriminator.head.isConditioned ? (0..<batch.count).map(batch.prompt(of:)) : nil
    return discriminator.rewards(features.tokens(batch.images), prompts: prompts)
  }
}
