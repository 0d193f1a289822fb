import Engine
import Foundation
import Models
import RunProtocol
import Trainer
import XCTest

/// What the whole-run tests share: tiny seeded models, run directories, and a run to the end.
enum TinyRuns {
  /// A tiny generator (or, with `content`, an editor): 16 px, width 32, with LoRA, the same
  /// every call; its zero-initialised adaLN and final layers get small random values so
  /// every path carries signal.
  static func generator(lora: LoRAConfig, content: Bool = false, seed: UInt64) -> Generator {
    var gc = GeneratorConfig.tiny
    gc.vocabularySize = 50
    gc.promptTokens = 12
    gc.contentTokens = content ? true : nil
    gc.lora = lora
    let gs = ParameterStore()
    let gen = Generator(gc, store: gs)
    gs.allocate(seed: seed)
    var rng = RNG(seed: seed + 1)
    for e in gs.entries where e.name.contains("adaLN") || e.name.hasPrefix("final_layer") {
      rng.fillNormal(gs.values + e.offset, count: e.shape.count, std: 0.05)
    }
    trainOnlyLoRA(gs)
    return gen
  }

  /// A frozen tiny backbone (16 px, width 16, one block).
  static func backbone(seed: UInt64) -> ViT {
    let bs = ParameterStore()
    let vit = ViT(ViTConfig(imageSize: 16, patch: 4, width: 16, depth: 1, heads: 2, mlpRatio: 2), store: bs)
    bs.allocate(seed: seed)
    bs.setTrainable(false) { _ in true }
    return vit
  }

  /// A fresh path under the temporary directory.
  static func directory(_ tag: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("grpotop-\(tag)-\(UUID().uuidString)").path
  }

  /// Runs `config` on `models` to the end; returns the trainable (LoRA) weights and every event.
  static func run(_ config: TrainConfig, models: RunModels, dir: String, resume: Bool) async throws -> ([Float], [RunEvent]) {
    let t = try TrainerActor(config: config, runDirectory: dir, resume: resume ? dir : nil, models: models) { _ in }
    let task = Task { await t.run() }
    var events: [RunEvent] = []
    for await e in t.events { events.append(e) }
    let end = await task.value
    XCTAssertEqual(end.status, "completed", end.message ?? "")
    let s = models.generator.store
    return (s.entries.filter(\.trainable).flatMap { Array(UnsafeBufferPointer(start: s.values + $0.offset, count: $0.shape.count)) }, events)
  }

  /// Per-iteration metrics of a run's events (timings left out).
  static func iterationMetrics(_ events: [RunEvent]) -> [Int: [String: Double]] {
    var out: [Int: [String: Double]] = [:]
    for e in events {
      if case .iterationMetrics(let m) = e.payload { out[m.iteration] = m.values.filter { !$0.key.hasPrefix("ms_") } }
    }
    return out
  }
}
