import Engine
import GRPO
import Models
import World

// Style-GRPO's rewards (ALGORITHMS.md §5): StyleScore, which reads the content image beside the
// output, and judge-a's style head. They are mixed with the quality term by the usual
// normalise-then-sum, so their different scales (Bradley–Terry logits, probabilities) do not
// matter.

/// StyleScore's Bradley–Terry score of each output against its content image and asked style.
public final class StyleScoreReward: RewardFunction {
  public let name = "stylescore"
  let backbone: ViT
  let model: StyleScore
  let graph = Graph()

  public init(backbone: ViT, model: StyleScore) {
    self.backbone = backbone
    self.model = model
  }

  public func score(_ batch: RewardBatch) -> [Float] {
    guard let contents = batch.contents else { preconditionFailure("stylescore: the batch carries no content images") }
    let S = batch.imageSize, P = batch.prompts.count, G = batch.groupSize, F = model.config.imageFeatureWidth
    graph.reset()
    graph.recording = false
    let contentFeatures = StyleScore.features(graph, backbone: backbone, images: graph.constant(contents, Shape(P, 3, S, S)), grid: model.config.grid)
    graph.reset()
    let outputFeatures = StyleScore.features(graph, backbone: backbone, images: graph.constant(batch.images, Shape(P * G, 3, S, S)),
                                             grid: model.config.grid)
    // Each output is scored against its own group's content image: repeat it G times.
    var content = [Float]()
    content.reserveCapacity(P * G * F)
    for p in 0..<P { for _ in 0..<G { content += contentFeatures[(p * F)..<((p + 1) * F)] } }
    let styles = (0..<batch.count).map { StyleRewards.styleIndex(batch.prompt(of: $0)) }
    return model.scores(content: content, output: outputFeatures, styles: styles, graph: graph)
  }
}

/// judge-a's probability that each output shows the style its instruction asks for.
public final class StyleAlignmentReward: RewardFunction {
  public let name = "style"
  let judge: AttributeJudge
  let head: Int
  let graph = Graph()

  /// Throws when the judge has no style head.
  public init(judge: AttributeJudge) throws {
    guard let head = judge.config.head(named: "style") else { throw ConfigError("rewards: style needs a judge with a style head") }
    self.judge = judge
    self.head = head
  }

  public func score(_ batch: RewardBatch) -> [Float] {
    let judged = judge.predict(images: batch.images, graph: graph)
    return judged.indices.map { judged[$0].probability(head, AttributeClass.style(batch.prompt(of: $0).style)) }
  }
}

/// Shared helpers of the style rewards and the style evaluation.
enum StyleRewards {
  /// StyleScore's style id of an instruction (its index in `Style.allCases`; 0 if none).
  static func styleIndex(_ prompt: Prompt) -> Int {
    prompt.style.flatMap { Style.allCases.firstIndex(of: $0) } ?? 0
  }
}
