import Engine
import GRPO
import Models

/// Which published method a run follows.
public enum Algorithm: String, Codable, Sendable, CaseIterable {
  case flowGRPO = "flow-grpo"
  case advGRPO = "adv-grpo"
  case prefGRPO = "pref-grpo"
  case styleGRPO = "style-grpo"
}

/// `sample.*`: the stochastic sampler.
public struct SampleSettings: Codable, Sendable, Equatable {
  public var steps = 10
  public var noiseLevel: Float = 0.7
  public var shift: Float = 1
  /// Classifier-free guidance scale w: v = v_u + w (v_c − v_u); 1 is none (one forward).
  public var guidance: Float = 1
  public init() {}
}

/// `grpo.*`: groups, advantages, steps trained and the optimizer.
public struct GRPOSettings: Codable, Sendable, Equatable {
  public var groupSize = 16
  public var promptsPerIteration = 2
  public var advantageStd: AdvantageStd = .global
  public var advantageClip: Float = 5
  /// Degrees of freedom of the std: 0 (NumPy, Flow-GRPO) or 1 (Pref-GRPO, DanceGRPO).
  public var advantageDdof = 0
  public var advantageEps: Float = 1e-4
  public var timestepFraction: Float = 0.99
  public var timestepSampling: TimestepSampling = .first
  /// ε of the ratio clip. Upstream's 1e-4 is for 65,536 latent dims; our 3,072 pixels give
  /// log-ratios ~4.6× wider, so the default is wider too (watch clipfrac).
  public var clipRange: Float = 1e-3
  public var optimizerStepsPerIteration = 2
  /// AdamW rate of the LoRA adapters. Flow-GRPO's 3e-4 left our policy in place over 100
  /// iterations of 32 images (KL ~1e-5, held-out unchanged); 3e-3 learns faster but drifts
  /// (Fréchet distance 0.019 → 0.24 at 100 iterations on the alignment reward).
  public var lr: Float = 1e-3
  public var weightDecay: Float = 1e-4
  public var gradClip: Float = 1.0
  /// Rows (sample × trained step) per forward/backward chunk: bounds activation memory.
  public var microBatch = 32
  public init() {}
}

/// `kl.*`: the leash to the LoRA-off reference.
public struct KLSettings: Codable, Sendable, Equatable {
  /// Adv-GRPO's default (the other configs set their own): 0.04 let the generator drift from
  /// the references while pleasing D (README, "Adv-GRPO on the contrastive backbone").
  public var beta: Float = 0.4
  public var form: KLForm = .noDt
  public init() {}
}

/// `logprob.*`.
public struct LogProbSettings: Codable, Sendable, Equatable {
  public var reduce: PixelReduction = .mean
  public init() {}
}

/// `references.*`: what Adv-GRPO's discriminator calls real.
public struct ReferenceSettings: Codable, Sendable, Equatable {
  /// Clean renders per prompt.
  public var perPrompt = 8
  /// A folder of PNGs (style customisation); "" for per-prompt renders.
  public var folder = ""
  public init() {}
}

/// `pref.*`.
public struct PrefSettings: Codable, Sendable, Equatable {
  public var tieMargin: Float = 0.02
  public init() {}
}

/// `eval.*`: the independent evaluation on held-out prompts with fixed noise.
public struct EvalSettings: Codable, Sendable, Equatable {
  /// Iterations between evaluations (0: only at the start and the end).
  public var every = 25
  public var prompts = 32
  /// Samples per prompt (diversity needs at least 2).
  public var samplesPerPrompt = 4
  public var seed: UInt64 = 1234
  public init() {}
}

/// `style.*`: Style-GRPO's two stages (ALGORITHMS.md §5) as phases of one run.
public struct StyleSettings: Codable, Sendable, Equatable {
  /// Iterations of SFT (flow matching on perfect pairs, LoRA) before GRPO; 0: GRPO only.
  public var sftIterations = 100
  /// Perfect pairs per SFT iteration.
  public var sftBatch = 32
  /// AdamW rate of the LoRA adapters during SFT (GRPO then uses grpo.lr).
  public var sftLr: Float = 1e-3
  /// Temporal weighting α of the policy term: step k of K weighs α^(k/K), rescaled to mean 1
  /// (k = 0 the noisiest step, where the global look is decided); 1 turns it off.
  public var temporalAlpha: Float = 0.5
  /// Distinct (content, style) tasks, drawn once by seed and cycled through.
  public var pool = 96
  public init() {}
}

/// `checkpoint.*`.
public struct CheckpointSettings: Codable, Sendable, Equatable {
  public var every = 25
  public init() {}
}

/// `weights.*`: model files; "" means the weights shipped with grpotop.
public struct WeightPaths: Codable, Sendable, Equatable {
  public var generator = ""
  public var backbone = ""
  public var judgeA = ""
  public var judgeB = ""
  public var preference = ""
  public var quality = ""
  /// Style-GRPO's editor and reward.
  public var editor = ""
  public var stylescore = ""
  public init() {}
}

/// `prompts.*`: the training prompt pool.
public struct PromptPoolSettings: Codable, Sendable, Equatable {
  /// Distinct training prompts, drawn once by seed and cycled through.
  public var pool = 64
  public init() {}
}

/// A GRPO run's whole configuration (ALGORITHMS.md's keys and defaults).
public struct TrainConfig: ValidatedConfig, Equatable {
  public var algorithm: Algorithm = .advGRPO
  public var seed: UInt64 = 42
  public var iterations = 200
  public var threads = 1
  public var sample = SampleSettings()
  public var grpo = GRPOSettings()
  public var kl = KLSettings()
  public var lora = LoRAConfig(rank: 8, alpha: 16)
  public var logprob = LogProbSettings()
  /// Adv-GRPO's default: the discriminator beside judge-a's alignment, each z-scored within
  /// its group. The discriminator alone is not prompt-aware: it gained colour and lost shape
  /// and was not clearly better than the base (README); upstream's PickScore setting likewise
  /// co-trains a reward that reads the prompt. D weighs half: at full weight, on the shipped
  /// 4,800-step backbone, one seed of two ended below the base, losing the second object's
  /// shape (README), with both the earlier and the shipped judge-a.
  public var rewards: [RewardWeight] = [RewardWeight(name: "discriminator", weight: 0.5), RewardWeight(name: "alignment", weight: 1)]
  public var discriminator = DiscriminatorConfig()
  public var references = ReferenceSettings()
  public var pref = PrefSettings()
  public var eval = EvalSettings()
  public var checkpoint = CheckpointSettings()
  public var weights = WeightPaths()
  public var prompts = PromptPoolSettings()
  public var style = StyleSettings()

  public init() {}
  public static var defaults: TrainConfig { TrainConfig() }

  /// Reward names a run may use.
  public static let rewardNames = ["discriminator", "alignment", "winrate", "quality", "brightness", "stylescore", "style"]
  /// Rewards that read a content image: Style-GRPO's alone.
  public static let editRewardNames: Set<String> = ["stylescore"]

  public func validate() throws {
    try require(iterations >= 1, "iterations", "must be at least 1, got \(iterations)")
    try require(threads >= 1 && threads <= 8, "threads", "must be in 1...8, got \(threads)")
    try require(sample.steps >= 1 && sample.steps <= 100, "sample.steps", "must be in 1...100, got \(sample.steps)")
    try require(sample.noiseLevel >= 0 && sample.noiseLevel <= 2, "sample.noise_level", "must be in [0, 2], got \(sample.noiseLevel)")
    try require(sample.shift > 0, "sample.shift", "must be positive, got \(sample.shift)")
    try require(sample.guidance >= 0 && sample.guidance <= 20, "sample.guidance", "must be in [0, 20], got \(sample.guidance)")
    try require(grpo.groupSize >= 2, "grpo.group_size", "must be at least 2, got \(grpo.groupSize)")
    try require(grpo.promptsPerIteration >= 1, "grpo.prompts_per_iteration", "must be at least 1")
    try require(grpo.timestepFraction > 0 && grpo.timestepFraction <= 1, "grpo.timestep_fraction", "must be in (0, 1], got \(grpo.timestepFraction)")
    try require(grpo.clipRange > 0 && grpo.clipRange < 1, "grpo.clip_range", "must be in (0, 1), got \(grpo.clipRange)")
    try require(grpo.optimizerStepsPerIteration >= 1, "grpo.optimizer_steps_per_iteration", "must be at least 1")
    try require(grpo.lr > 0 && grpo.lr < 1, "grpo.lr", "must be in (0, 1), got \(grpo.lr)")
    try require(grpo.microBatch >= 1, "grpo.micro_batch", "must be at least 1")
    try require(kl.beta >= 0, "kl.beta", "must be ≥ 0, got \(kl.beta)")
    try require(lora.rank >= 1 && lora.rank <= 128, "lora.rank", "must be in 1...128, got \(lora.rank)")
    try require(!rewards.isEmpty, "rewards", "needs at least one reward")
    for r in rewards {
      try require(TrainConfig.rewardNames.contains(r.name), "rewards", "unknown reward '\(r.name)' (allowed: \(TrainConfig.rewardNames.joined(separator: ", ")))")
    }
    try require(references.perPrompt >= 1, "references.per_prompt", "must be at least 1")
    try require(discriminator.stepsPerTrigger >= 1, "discriminator.steps_per_trigger", "must be at least 1")
    try require(discriminator.ratio >= 2, "discriminator.ratio", "must be at least 2")
    try require(discriminator.mismatchWeight >= 0, "discriminator.mismatch_weight", "must be ≥ 0, got \(discriminator.mismatchWeight)")
    try require(eval.prompts >= 1 && eval.samplesPerPrompt >= 1, "eval.prompts", "must be at least 1")
    try require(prompts.pool >= grpo.promptsPerIteration, "prompts.pool", "must hold at least grpo.prompts_per_iteration prompts")
    try require(style.sftIterations >= 0, "style.sft_iterations", "must be ≥ 0, got \(style.sftIterations)")
    try require(style.sftBatch >= 1, "style.sft_batch", "must be at least 1, got \(style.sftBatch)")
    try require(style.sftLr > 0 && style.sftLr < 1, "style.sft_lr", "must be in (0, 1), got \(style.sftLr)")
    try require(style.temporalAlpha > 0 && style.temporalAlpha <= 10, "style.temporal_alpha", "must be in (0, 10], got \(style.temporalAlpha)")
    try require(style.pool >= grpo.promptsPerIteration, "style.pool", "must hold at least grpo.prompts_per_iteration tasks")
    let editing = algorithm == .styleGRPO
    for r in rewards where TrainConfig.editRewardNames.contains(r.name) && !editing {
      try require(false, "rewards", "'\(r.name)' scores edits: it needs algorithm: style-grpo")
    }
    if editing {
      try require(!rewards.contains { $0.name == "discriminator" || $0.name == "winrate" }, "rewards",
                  "style-grpo takes stylescore, style, quality, alignment or brightness")
    }
  }
}
