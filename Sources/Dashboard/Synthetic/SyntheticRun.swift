import Foundation
import RunProtocol

// A plausible Adv-GRPO run made of RunEvents only, for tests, the benchmark and trying the
// dashboard without training anything: the generated reward climbs toward the reference reward,
// the discriminator fires whenever it overtakes (and knocks it back), KL grows slowly, the
// samples of "two red circles on blue" get cleaner, and one learning-rate edit happens a third
// of the way in. Seeded, so the same arguments always give the same events.

/// A generator of synthetic Adv-GRPO events.
public struct SyntheticRun: Sendable {
  public var iterations: Int
  public var totalIterations: Int
  public var groupSize: Int
  public var thumbnailSize: Int
  public var seed: UInt64
  /// Ends with a run_end event.
  public var finished: Bool

  public init(iterations: Int = 120, totalIterations: Int? = nil, groupSize: Int = 16, thumbnailSize: Int = 32,
              seed: UInt64 = 1, finished: Bool = false) {
    self.iterations = iterations
    self.totalIterations = totalIterations ?? iterations
    self.groupSize = groupSize
    self.thumbnailSize = thumbnailSize
    self.seed = seed
    self.finished = finished
  }

  /// The hyperparameter schema the synthetic trainer announces.
  public static let schema: [HyperparameterSpec] = [
    HyperparameterSpec(key: "lr", type: .float, value: .number(3e-4), min: 1e-6, max: 1e-2, live: true, nudge: "mul2", help: "AdamW learning rate"),
    HyperparameterSpec(key: "kl.beta", type: .float, value: .number(0.04), min: 0, max: 1, live: true, nudge: "mul2", help: "KL weight β"),
    HyperparameterSpec(key: "grpo.clip_range", type: .float, value: .number(1e-3), min: 1e-6, max: 0.5, live: true, nudge: "mul2", help: "PPO clip ε"),
    HyperparameterSpec(key: "grpo.optimizer_steps_per_iteration", type: .int, value: .number(2), min: 1, max: 8, live: true, nudge: "add1", help: "optimizer steps per iteration"),
    HyperparameterSpec(key: "discriminator.steps_per_trigger", type: .int, value: .number(10), min: 1, max: 100, live: true, nudge: "add1", help: "D steps when it fires"),
    HyperparameterSpec(key: "discriminator.schedule", type: .choice, value: .string("adaptive"), choices: ["adaptive", "ratio"], live: true, help: "when D trains"),
    HyperparameterSpec(key: "ema", type: .bool, value: .bool(false), live: true, help: "EMA of the trained weights"),
    HyperparameterSpec(key: "sampler.steps", type: .int, value: .number(10), min: 2, max: 50, live: false, help: "SDE sampler steps"),
  ]

  /// Every event of the run, in order.
  public func events() -> [RunEvent] {
    var rng = SplitMix(seed)
    var out: [RunEvent] = []
    var seq = 0
    let t0 = 1_763_900_000.0
    func emit(_ t: Double, _ p: EventPayload) {
      out.append(RunEvent(seq: seq, time: t, payload: p))
      seq += 1
    }
    emit(t0, .runStart(RunStart(
      runID: "synthetic", algorithm: "adv-grpo", config: .object(["seed": .number(Double(seed))]),
      hyperparameters: Self.schema, totalIterations: totalIterations, groupSize: groupSize, promptsPerIteration: 4,
      rewards: ["discriminator"], runDirectory: "runs/20261123-120000-adv-grpo")))
    var rGen = -0.6, lr = 3e-4, step = 0
    for i in 0..<iterations {
      let t = t0 + 1 + Double(i) * 1.9
      emit(t, .phase(PhaseChange(iteration: i, phase: .sampling)))
      let quality = min(1, Double(i) / Double(max(1, totalIterations)) * 1.3)
      // Climb to the reference reward in about a quarter of the run, then keep catching up.
      rGen += max(0.012, 0.95 / Double(max(10, totalIterations / 4))) + 0.02 * rng.normal()
      let rRef = 0.35 + 0.03 * rng.normal()
      let rewards = (0..<groupSize).map { _ in rGen + 0.15 * rng.normal() }
      let mean = rewards.reduce(0, +) / Double(groupSize)
      let std = max(1e-6, (rewards.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(groupSize - 1)).squareRoot())
      let advantages = rewards.map { ($0 - mean) / std }
      let prompt = Self.prompts[i % Self.prompts.count]
      let images = (0..<groupSize).map { _ in thumbnail(&rng, noise: 1 - quality, jitter: 4) }
      let refs = (0..<4).map { _ in thumbnail(&rng, noise: 0, jitter: 2) }
      emit(t + 0.6, .samples(SampleGroup(iteration: i, prompt: prompt, images: images, rewards: rewards, advantages: advantages, references: refs)))
      emit(t + 0.7, .phase(PhaseChange(iteration: i, phase: .scoring)))
      let zeroStd = max(0, 0.05 + 0.05 * rng.normal())
      emit(t + 0.9, .iterationMetrics(Metrics(iteration: i, values: [
        "reward/discriminator/mean": mean, "reward/discriminator/std": std, "reward/reference/mean": rRef,
        "reward_std_mean": std, "zero_std_ratio": zeroStd,
      ])))
      let all = (0..<64).map { k in k < groupSize ? advantages[k] : rng.normal() }
      emit(t + 0.9, .histogram(Histogram(iteration: i, name: "advantages", values: all, low: -3, high: 3, bins: 24)))
      if mean > rRef {
        emit(t + 1.0, .phase(PhaseChange(iteration: i, phase: .discriminator)))
        let lossBefore = 0.9 + 0.1 * rng.normal(), accBefore = 0.5 + 0.05 * rng.normal()
        emit(t + 1.3, .discriminatorUpdate(DiscriminatorUpdate(
          iteration: i, reason: "adaptive", rewardGenerated: mean, rewardReference: rRef, lossBefore: lossBefore,
          lossAfter: lossBefore * 0.5, accuracyBefore: accBefore, accuracyAfter: min(0.99, accBefore + 0.35), steps: 10)))
        rGen -= 0.35
      } else {
        emit(t + 1.0, .phase(PhaseChange(iteration: i, phase: .update)))
        for _ in 0..<2 {
          let kl = 2e-4 * (1 + Double(i) * 0.05) * exp(0.3 * rng.normal())
          emit(t + 1.4, .stepMetrics(Metrics(iteration: i, step: step, values: [
            "policy_loss": -0.01 * rng.normal(), "kl": kl, "approx_kl": kl * 0.6 * exp(0.2 * rng.normal()),
            "clipfrac": max(0, 0.02 + 0.01 * rng.normal()), "loss": 0.05 * rng.normal(), "grad_norm": abs(0.5 + 0.2 * rng.normal()), "lr": lr,
          ])))
          step += 1
        }
      }
      if i == totalIterations / 3 {
        emit(t + 1.5, .hyperparameterChange(HyperparameterChange(iteration: i, key: "lr", old: .number(lr), new: .number(lr / 2), by: "dashboard")))
        lr /= 2
      }
      if i > 0 && i % 10 == 0 {
        emit(t + 1.6, .evaluation(Metrics(iteration: i, values: [
          "alignment": 0.4 + 0.4 * quality + 0.02 * rng.normal(), "frechet": 80 - 50 * quality + 2 * rng.normal(),
          "diversity": 0.3 - 0.05 * quality + 0.01 * rng.normal(),
        ])))
      }
      if i > 0 && i % 25 == 0 {
        emit(t + 1.7, .checkpoint(CheckpointSaved(iteration: i, path: "checkpoints/step-\(String(format: "%06d", i)).safetensors", reason: "periodic")))
      }
      if i % 17 == 5 { emit(t + 1.8, .log(LogLine(level: .info, message: "iteration \(i): \(Int(zeroStd * 100))% of groups had equal rewards"))) }
      if i == iterations / 2 { emit(t + 1.8, .log(LogLine(level: .warning, message: "clipfrac above 0.03 for 3 iterations; consider a smaller lr"))) }
    }
    if finished {
      emit(t0 + 2 + Double(iterations) * 1.9, .runEnd(RunEnd(iteration: max(0, iterations - 1), status: "completed")))
    }
    return out
  }

  /// Prompts in the world's grammar.
  static let prompts = ["two red circles on blue", "a green square left of a yellow triangle", "three blue stars on white"]

  /// A 32×32 "two red circles on blue" with `noise` in [0, 1] and the circles moved by up to
  /// `jitter` pixels.
  func thumbnail(_ rng: inout SplitMix, noise: Double, jitter: Double) -> Thumbnail {
    let n = thumbnailSize
    var px = [UInt8](repeating: 0, count: n * n * 3)
    let s = Double(n) / 32
    let c1 = (9 * s + jitter * rng.normal(), 16 * s + jitter * rng.normal()), c2 = (23 * s + jitter * rng.normal(), 16 * s + jitter * rng.normal())
    let radius = 6 * s
    for y in 0..<n {
      for x in 0..<n {
        let inside = [c1, c2].contains { pow(Double(x) - $0.0, 2) + pow(Double(y) - $0.1, 2) <= radius * radius }
        var rgb = inside ? (220.0, 40.0, 40.0) : (30.0, 60.0, 170.0)
        let e = noise * 90
        rgb = (rgb.0 + e * rng.normal(), rgb.1 + e * rng.normal(), rgb.2 + e * rng.normal())
        let o = (y * n + x) * 3
        px[o] = UInt8(min(255, max(0, rgb.0)))
        px[o + 1] = UInt8(min(255, max(0, rgb.1)))
        px[o + 2] = UInt8(min(255, max(0, rgb.2)))
      }
    }
    return Thumbnail(width: n, height: n, rgb: px)
  }
}

/// SplitMix64 with Box–Muller normals: small, seeded, the same on every platform.
struct SplitMix: Sendable {
  private var state: UInt64
  init(_ seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in (0, 1).
  mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }

  /// Standard normal.
  mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
}
