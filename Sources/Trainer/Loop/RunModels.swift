import Engine
import GRPO
import Models

/// The models one GRPO run needs, loaded once: the generator with fresh LoRA adapters, and
/// whichever of the backbone, judges, preference and quality models its rewards and its
/// evaluation use.
///
/// Unchecked Sendable: the models are handed to the trainer's thread and used only there
/// while the run lasts; a caller may read them again once `run()` has returned.
public final class RunModels: @unchecked Sendable {
  public let generator: Generator
  public let backbone: BackboneFeatures?
  public let judgeA: AttributeJudge?
  public let judgeB: AttributeJudge?
  public let preference: PreferenceHead?
  public let quality: QualityRegressor?
  /// Style-GRPO's learned reward.
  public let styleScore: StyleScore?

  /// Models given directly (tests build tiny, randomly initialised ones). For Style-GRPO the
  /// `generator` is the editor (a Generator with content tokens).
  public init(generator: Generator, backbone: ViT?, judgeA: AttributeJudge? = nil, judgeB: AttributeJudge? = nil,
              preference: PreferenceHead? = nil, quality: QualityRegressor? = nil, styleScore: StyleScore? = nil) {
    self.generator = generator
    self.styleScore = styleScore
    self.backbone = backbone.map { BackboneFeatures(backbone: $0) }
    self.judgeA = judgeA
    self.judgeB = judgeB
    self.preference = preference
    self.quality = quality
  }

  /// Loads what `config` needs; paths "" mean the shipped weights.
  public init(config: TrainConfig) throws {
    func path(_ p: String) -> String? { p.isEmpty ? nil : p }
    let names = Set(config.rewards.map(\.name))
    // Style-GRPO trains the editor; the other methods the text-to-image generator.
    generator = config.algorithm == .styleGRPO
      ? try ModelLoader.editor(path: path(config.weights.editor), lora: config.lora, seed: config.seed)
      : try ModelLoader.generator(path: path(config.weights.generator), lora: config.lora, seed: config.seed)
    trainOnlyLoRA(generator.store)
    // The backbone serves the discriminator, the preference pairs and the evaluation.
    backbone = BackboneFeatures(backbone: try ModelLoader.backbone(path: path(config.weights.backbone)))
    func judge(_ name: String, _ p: String) throws -> AttributeJudge {
      p.isEmpty ? try ModelLoader.judge(named: name) : try ModelLoader.judge(path: p)
    }
    judgeA = names.contains("alignment") || names.contains("style") ? try judge("judge-a", config.weights.judgeA) : nil
    // judge-b only evaluates; a run without it still trains, without the alignment figures.
    judgeB = try? judge("judge-b", config.weights.judgeB)
    preference = names.contains("winrate") ? try ModelLoader.preference(path: path(config.weights.preference)) : nil
    quality = names.contains("quality") ? try ModelLoader.quality(path: path(config.weights.quality)) : nil
    // The style evaluation reads StyleScore too, so a Style-GRPO run always loads it.
    styleScore = config.algorithm == .styleGRPO ? try ModelLoader.styleScore(path: path(config.weights.stylescore)) : nil
  }
}
