import Engine
import Foundation
import Models
import RunProtocol
import Trainer
import XCTest

/// Style-GRPO as one run on tiny models: SFT iterations, then GRPO on edits with the
/// StyleScore reward and temporal weighting.
final class StyleGRPORunTests: XCTestCase {
  func tinyConfig() -> TrainConfig {
    var c = TrainConfig()
    c.algorithm = .styleGRPO
    c.seed = 5
    c.iterations = 4
    c.sample.steps = 4
    c.grpo.groupSize = 4
    c.grpo.promptsPerIteration = 2
    c.grpo.microBatch = 8
    c.grpo.clipRange = 0.05
    c.kl.beta = 0
    c.lora = LoRAConfig(rank: 2, alpha: 4)
    c.rewards = [.init(name: "stylescore", weight: 1), .init(name: "brightness", weight: 0.5)]
    c.style.sftIterations = 2
    c.style.sftBatch = 4
    c.style.pool = 6
    c.eval.every = 0
    c.eval.prompts = 1
    c.eval.samplesPerPrompt = 1
    c.checkpoint.every = 2
    return c
  }

  /// A tiny editor (16 px, content tokens), backbone and StyleScore, the same every call.
  func tinyModels(_ c: TrainConfig) -> RunModels {
    let ss = ParameterStore()
    let score = StyleScore(StyleScoreConfig(featureDim: 16, grid: 2, cellDim: 4, styles: 6, embedDim: 4, hidden: 8), store: ss)
    ss.allocate(seed: 24)
    return RunModels(generator: TinyRuns.generator(lora: c.lora, content: true, seed: 21), backbone: TinyRuns.backbone(seed: 23),
                     styleScore: score)
  }

  func tempDir() -> String { TinyRuns.directory("style") }

  func run(_ c: TrainConfig, dir: String, resume: Bool) async throws -> ([Float], [RunEvent]) {
    try await TinyRuns.run(c, models: tinyModels(c), dir: dir, resume: resume)
  }

  func stages(_ events: [RunEvent]) -> [(Int, String)] {
    events.compactMap { e in
      if case .phase(let p) = e.payload, let stage = p.stage { return (p.iteration, stage) }
      return nil
    }
  }

  func testSFTThenGRPOStageChangeHappensOnceAndIsRecorded() async throws {
    let dir = tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let (_, events) = try await run(tinyConfig(), dir: dir, resume: false)
    XCTAssertEqual(stages(events).map(\.0), [0, 2])
    XCTAssertEqual(stages(events).map(\.1), ["sft", "grpo"])
    let metrics = TinyRuns.iterationMetrics(events)
    XCTAssertNotNil(metrics[0]?["sft_loss"])
    XCTAssertNotNil(metrics[1]?["sft_loss"])
    XCTAssertNil(metrics[2]?["sft_loss"])
    XCTAssertNotNil(metrics[3]?["reward/stylescore/mean"])
    // The stage change is in the run's own record, which replay and attach read.
    let text = try String(contentsOfFile: "\(dir)/events.jsonl", encoding: .utf8)
    XCTAssertEqual(text.components(separatedBy: "\"stage\":\"grpo\"").count - 1, 1, "one recorded stage change to GRPO")
  }

  /// Resuming across the SFT → GRPO boundary gives the run a straight one gives, and the
  /// stage change is still emitted exactly once over the two halves.
  func testResumeAcrossTheStageChangeEqualsStraight() async throws {
    let straightDir = tempDir(), splitDir = tempDir()
    defer {
      try? FileManager.default.removeItem(atPath: straightDir)
      try? FileManager.default.removeItem(atPath: splitDir)
    }
    let c = tinyConfig()
    let (straight, _) = try await run(c, dir: straightDir, resume: false)
    var half = c
    half.iterations = 2
    let (_, first) = try await run(half, dir: splitDir, resume: false)
    let resumedConfig = try ConfigLoader.load(TrainConfig.self, path: "\(splitDir)/config.yaml", overrides: ["iterations=4"])
    let (resumed, second) = try await run(resumedConfig, dir: splitDir, resume: true)
    XCTAssertEqual(straight.map(\.bitPattern), resumed.map(\.bitPattern), "adapters differ after a resume at the stage change")
    XCTAssertEqual((stages(first) + stages(second)).map(\.1), ["sft", "grpo"])
  }

  /// SFT fits the perfect pairs: on a pool of two tasks the flow-matching loss falls.
  func testSFTLowersTheFlowMatchingLoss() async throws {
    let dir = tempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var c = tinyConfig()
    c.iterations = 40
    c.style.sftIterations = 40
    c.style.sftBatch = 8
    c.style.sftLr = 3e-2
    c.style.pool = 2
    c.lora = LoRAConfig(rank: 8, alpha: 16)
    c.checkpoint.every = 100
    let (_, events) = try await run(c, dir: dir, resume: false)
    var losses: [Double] = []
    for e in events { if case .iterationMetrics(let m) = e.payload, let l = m.values["sft_loss"] { losses.append(l) } }
    XCTAssertEqual(losses.count, 40)
    let first = losses.prefix(8).reduce(0, +) / 8, last = losses.suffix(8).reduce(0, +) / 8
    // Most of the loss is the irreducible spread of ε − x₀ (it plateaus near 1.2 here), so
    // the drop to look for is absolute: about 0.1 in this run, none without the update.
    XCTAssertLessThan(last, first - 0.05, "SFT losses \(losses)")
  }

  func testStyleRewardsNeedStyleGRPO() {
    var c = TrainConfig()
    c.algorithm = .flowGRPO
    c.rewards = [.init(name: "stylescore", weight: 1)]
    XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("style-grpo"), "\($0)") }
  }
}

/// The hyperparameters a run offers are the ones that mean something to it.
final class HyperparameterScopeTests: XCTestCase {
  func testKeysFollowTheRunsMethod() throws {
    var style = TrainConfig()
    style.algorithm = .styleGRPO
    style.rewards = [.init(name: "stylescore", weight: 1)]
    let styleKeys = HyperparameterSchema.specs(for: style).map(\.key)
    XCTAssertTrue(styleKeys.contains("style.temporal_alpha"))
    XCTAssertFalse(styleKeys.contains { $0.hasPrefix("discriminator.") })
    let advKeys = HyperparameterSchema.specs(for: TrainConfig()).map(\.key)  // the defaults: Adv-GRPO
    XCTAssertTrue(advKeys.contains("discriminator.steps_per_trigger"))
    XCTAssertFalse(advKeys.contains("style.temporal_alpha"))
    // A live edit of a key the run does not have is refused, naming what it does have.
    var adv = TrainConfig()
    XCTAssertThrowsError(try HyperparameterSchema.apply(key: "style.temporal_alpha", value: .number(1), to: &adv)) {
      XCTAssertTrue("\($0)".contains("for this run"), "\($0)")
    }
    XCTAssertEqual(try HyperparameterSchema.apply(key: "style.temporal_alpha", value: .number(1), to: &style), .number(0.5))
    XCTAssertEqual(style.style.temporalAlpha, 1)
  }
}
