import GRPO
import RunProtocol

/// The hyperparameters a run describes to its front ends, and how live edits change the config.
///
/// One table row per key: its type, range, whether it may change mid-run, how it reads from
/// and writes to a `TrainConfig`. The dashboard builds its editor from `specs(for:)` alone.
public enum HyperparameterSchema {
  struct Entry: Sendable {
    let key: String
    let type: HyperparameterType
    let min: Double?
    let max: Double?
    let choices: [String]?
    let live: Bool
    let nudge: String?
    let help: String
    let get: @Sendable (TrainConfig) -> JSONValue
    let set: @Sendable (inout TrainConfig, JSONValue) -> Void
  }

  static func float(_ key: String, _ min: Double?, _ max: Double?, live: Bool, nudge: String? = "mul2", _ help: String,
                    _ path: WritableKeyPath<TrainConfig, Float>) -> Entry {
    // Key paths into a value type's stored properties are immutable; safe to share.
    nonisolated(unsafe) let path = path
    return Entry(key: key, type: .float, min: min, max: max, choices: nil, live: live, nudge: nudge, help: help,
          // Through the shortest decimal that round-trips the Float: 3e-4 reads "0.0003",
          // not the widened binary value 0.0003000000142492354.
          get: { let f = $0[keyPath: path]; return .number(Double(f.description) ?? Double(f)) },
          set: { c, v in if let d = v.double { c[keyPath: path] = Float(d) } })
  }

  static func int(_ key: String, _ min: Double?, _ max: Double?, live: Bool, _ help: String, _ path: WritableKeyPath<TrainConfig, Int>) -> Entry {
    nonisolated(unsafe) let path = path
    return Entry(key: key, type: .int, min: min, max: max, choices: nil, live: live, nudge: "add1", help: help,
          get: { .number(Double($0[keyPath: path])) },
          set: { c, v in if let d = v.double { c[keyPath: path] = Int(d) } })
  }

  static let entries: [Entry] = [
    float("grpo.lr", 1e-7, 0.1, live: true, "AdamW learning rate of the LoRA adapters", \.grpo.lr),
    float("kl.beta", 0, 10, live: true, "weight of the KL to the LoRA-off reference", \.kl.beta),
    float("grpo.clip_range", 1e-6, 0.5, live: true, "ε of the clipped ratio; watch clipfrac", \.grpo.clipRange),
    float("sample.noise_level", 0, 2, live: true, nudge: nil, "SDE noise level a", \.sample.noiseLevel),
    float("grpo.timestep_fraction", 0.05, 1, live: true, nudge: nil, "fraction of sampler steps trained", \.grpo.timestepFraction),
    int("grpo.optimizer_steps_per_iteration", 1, 16, live: true, "optimizer steps per sampled batch", \.grpo.optimizerStepsPerIteration),
    float("grpo.grad_clip", 0.01, 100, live: true, "global gradient-norm clip", \.grpo.gradClip),
    float("style.temporal_alpha", 0.01, 10, live: true, nudge: nil, "Style-GRPO: policy weight α^(k/K) of step k (1: off)", \.style.temporalAlpha),
    int("discriminator.steps_per_trigger", 1, 200, live: true, "D steps each time the adaptive rule fires", \.discriminator.stepsPerTrigger),
    int("eval.every", 0, 100_000, live: true, "iterations between evaluations (0: start and end only)", \.eval.every),
    int("checkpoint.every", 1, 100_000, live: true, "iterations between checkpoints", \.checkpoint.every),
    int("iterations", 1, 1_000_000, live: true, "total iterations of the run", \.iterations),
    Entry(key: "grpo.advantage_std", type: .choice, min: nil, max: nil, choices: AdvantageStd.allCases.map(\.rawValue), live: true,
          nudge: nil, help: "global or per-group std of the advantages",
          get: { .string($0.grpo.advantageStd.rawValue) },
          set: { c, v in if case .string(let s) = v, let m = AdvantageStd(rawValue: s) { c.grpo.advantageStd = m } }),
    int("grpo.group_size", 2, 256, live: false, "samples per prompt", \.grpo.groupSize),
    int("grpo.prompts_per_iteration", 1, 64, live: false, "prompts per iteration", \.grpo.promptsPerIteration),
    int("sample.steps", 1, 100, live: false, "sampler steps", \.sample.steps),
    // Not live: the update must see the guidance the iteration's samples were drawn with.
    float("sample.guidance", 0, 20, live: false, nudge: nil, "classifier-free guidance scale (1: none)", \.sample.guidance),
    Entry(key: "lora.rank", type: .int, min: 1, max: 128, choices: nil, live: false, nudge: nil, help: "LoRA rank",
          get: { .number(Double($0.lora.rank)) }, set: { _, _ in }),
  ]

  /// Whether a key means anything to this run: the discriminator's only with a
  /// discriminator reward, Style-GRPO's only in a style run.
  static func applies(_ key: String, to config: TrainConfig) -> Bool {
    if key.hasPrefix("discriminator.") { return config.rewards.contains { $0.name == "discriminator" } }
    if key.hasPrefix("style.") { return config.algorithm == .styleGRPO }
    return true
  }

  /// The schema with the config's current values, the keys that apply to this run only.
  public static func specs(for config: TrainConfig) -> [HyperparameterSpec] {
    entries.filter { applies($0.key, to: config) }.map {
      HyperparameterSpec(key: $0.key, type: $0.type, value: $0.get(config), min: $0.min, max: $0.max, choices: $0.choices,
                         live: $0.live, nudge: $0.nudge, help: $0.help)
    }
  }

  /// Applies a live edit: returns the old value, or throws a ConfigError with the refusal.
  public static func apply(key: String, value: JSONValue, to config: inout TrainConfig) throws -> JSONValue {
    guard let e = entries.first(where: { $0.key == key && applies($0.key, to: config) }) else {
      let editable = entries.filter { $0.live && applies($0.key, to: config) }.map(\.key)
      throw ConfigError("unknown hyperparameter '\(key)' for this run (editable: \(editable.joined(separator: ", ")))")
    }
    let spec = HyperparameterSpec(key: e.key, type: e.type, value: e.get(config), min: e.min, max: e.max, choices: e.choices,
                                  live: e.live, nudge: e.nudge, help: e.help)
    if let why = spec.refusal(for: value) { throw ConfigError(why) }
    let old = e.get(config)
    var changed = config
    e.set(&changed, value)
    try changed.validate()
    config = changed
    return old
  }
}
