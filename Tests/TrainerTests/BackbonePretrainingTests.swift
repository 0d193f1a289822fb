import Engine
import Foundation
import Models
import TestSupport
import Trainer
import World
import XCTest

/// The repository's Configs/ folder, found from this file so tests run from any directory.
func configPath(_ name: String) -> String {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Configs").appendingPathComponent(name).path
}

final class BackbonePretrainingTests: XCTestCase {
  func tinyConfig() throws -> BackbonePretrainConfig {
    try ConfigLoader.load(BackbonePretrainConfig.self, path: configPath("tiny-pretrain-backbone.yaml"))
  }

  func testShippedConfigsEqualTheDefaults() throws {
    let file = try ConfigLoader.load(BackbonePretrainConfig.self, path: configPath("pretrain-backbone.yaml"))
    XCTAssertEqual(file, BackbonePretrainConfig.defaults)
    let pref = try ConfigLoader.load(PreferencePretrainConfig.self, path: configPath("pretrain-preference.yaml"))
    XCTAssertEqual(pref, PreferencePretrainConfig.defaults)
    XCTAssertNoThrow(try ConfigLoader.load(PreferencePretrainConfig.self, path: configPath("tiny-pretrain-preference.yaml")))
    let style = try ConfigLoader.load(StyleScorePretrainConfig.self, path: configPath("pretrain-stylescore.yaml"))
    XCTAssertEqual(style, StyleScorePretrainConfig.defaults)
    let editor = try ConfigLoader.load(EditorPretrainConfig.self, path: configPath("pretrain-editor.yaml"))
    XCTAssertEqual(editor, EditorPretrainConfig.defaults)
    // `grpotop train` with no config is Configs/adv-grpo.yaml.
    XCTAssertEqual(try ConfigLoader.load(TrainConfig.self, path: configPath("adv-grpo.yaml")), TrainConfig.defaults)
    // The Style-GRPO run config loads and validates as a style run.
    let run = try ConfigLoader.load(TrainConfig.self, path: configPath("style-grpo.yaml"))
    XCTAssertEqual(run.algorithm, .styleGRPO)
    XCTAssertEqual(Set(run.rewards.map(\.name)), ["stylescore", "style", "quality"])
  }

  /// Same seed, same weights, bit for bit, although batches render on a second thread.
  func testTinyPretrainingIsDeterministic() throws {
    let cfg = try tinyConfig()
    let a = trainBackbone(cfg, log: { _ in })
    let b = trainBackbone(cfg, log: { _ in })
    XCTAssertEqual(a.student.store.snapshot(), b.student.store.snapshot())
    XCTAssertEqual(a.teacher.store.snapshot(), b.teacher.store.snapshot())
    XCTAssertEqual(a.lossCurve.count, cfg.steps)
    XCTAssertTrue(a.lossCurve.allSatisfy { $0[1].isFinite && $0[1] > 0 }, "\(a.lossCurve)")
    // The teacher moved (EMA of a moving student) but is not the student.
    let start = ParameterStore()
    _ = DINONetwork(backbone: cfg.model, head: cfg.head, store: start)
    start.allocate(seed: cfg.seed)
    XCTAssertNotEqual(a.teacher.store.snapshot(), start.snapshot())
    XCTAssertNotEqual(a.teacher.store.snapshot(), a.student.store.snapshot())
  }

  /// The full command path on the tiny config: backbone-only weights under timm names,
  /// a report with probe rows, and a file the loader reads back.
  func testTinyPretrainWritesBackboneOnly() throws {
    var cfg = try tinyConfig()
    cfg.steps = 2
    cfg.output = FileManager.default.temporaryDirectory.appendingPathComponent("bb-\(UUID().uuidString)").path
    let report = try pretrainBackbone(cfg, log: { _ in })
    let file = try SafeTensorsFile.read(path: "\(cfg.output)/backbone.safetensors")
    XCTAssertEqual(file.metadata["model"], "backbone")
    XCTAssertEqual(file["patch_embed.proj.weight"]?.shape, [32, 48])
    XCTAssertFalse(file.tensors.contains { $0.name.hasPrefix("head.") })
    XCTAssertEqual(report.probe?.cls.map(\.attribute), ["colour", "shape", "position", "style"])
    let vit = try ModelLoader.backbone(path: "\(cfg.output)/backbone.safetensors")
    XCTAssertEqual(vit.config, cfg.model)
    XCTAssertTrue(FileManager.default.fileExists(atPath: "\(cfg.output)/report.json"))
  }

  /// A whole-image crop without flip is the image; with flip it is its mirror.
  func testCropIdentityAndFlip() {
    let S = 8
    let image = seededUniform(3 * S * S, seed: 9)
    var out = [Float](repeating: 0, count: image.count)
    var rng = RNG(seed: 1)
    image.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        MultiCrop.crop(src, size: S, scale: [1, 1], aspect: [1, 1], flip: 0, rng: &rng, into: dst)
      }
    }
    XCTAssertLessThan(maxAbsDiff(out, image), 1e-4)
    image.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        MultiCrop.crop(src, size: S, scale: [1, 1], aspect: [1, 1], flip: 1, rng: &rng, into: dst)
      }
    }
    for c in 0..<3 {
      for y in 0..<S {
        for x in 0..<S {
          XCTAssertEqual(out[c * S * S + y * S + x], image[c * S * S + y * S + (S - 1 - x)], accuracy: 1e-4)
        }
      }
    }
  }

  /// The photometric jitter: off, it leaves a view alone; a hue rotation keeps greys grey and
  /// is only ever applied to local views; greyscale makes the channels equal.
  func testColourJitter() {
    let S = 4
    var image = seededUniform(3 * S * S, seed: 5).map { $0 * 0.9 }  // inside [−1, 1]
    for i in 0..<S { for c in 0..<3 { image[c * S * S + i] = 0.2 } }  // a grey first row
    func jittered(_ cfg: ColourJitterConfig, local: Bool) -> [Float] {
      var out = image, rng = RNG(seed: 2)
      out.withUnsafeMutableBufferPointer { MultiCrop.jitter($0, size: S, config: cfg, local: local, rng: &rng) }
      return out
    }
    var off = ColourJitterConfig()
    (off.probability, off.greyscale, off.localHue) = (0, 0, 0)
    XCTAssertEqual(jittered(off, local: true), image)
    var hue = off
    hue.localHue = 1
    XCTAssertEqual(jittered(hue, local: false), image, "global views keep their hue")
    var globalHue = off
    globalHue.globalHue = 1
    XCTAssertGreaterThan(maxAbsDiff(jittered(globalHue, local: false), image), 0.01, "globalHue turns global views too")
    let rotated = jittered(hue, local: true)
    XCTAssertGreaterThan(maxAbsDiff(rotated, image), 0.01)  // the angle is random; any turn moves the colours
    for i in 0..<S { for c in 0..<3 { XCTAssertEqual(rotated[c * S * S + i], 0.2, accuracy: 1e-4) } }
    var grey = off
    grey.greyscale = 1
    let g = jittered(grey, local: false)
    for i in 0..<(S * S) {
      XCTAssertEqual(g[i], g[S * S + i], accuracy: 1e-5)
      XCTAssertEqual(g[i], g[2 * S * S + i], accuracy: 1e-5)
    }
  }

  /// Three well-separated Gaussian clusters in 6 dimensions: the probe must be perfect.
  func testProbeSeparatesASyntheticProblem() {
    let dim = 6, K = 3
    var rng = RNG(seed: 11)
    func sample(_ n: Int) -> ([Float], [Int]) {
      var x: [Float] = [], y: [Int] = []
      for i in 0..<n {
        let k = i % K
        for d in 0..<dim { x.append((d == k ? 5 : 0) + 0.3 * rng.normal() + 100) }  // an offset standardising must remove
        y.append(k)
      }
      return (x, y)
    }
    let (xtr, ytr) = sample(90), (xte, yte) = sample(60)
    var cfg = ProbeConfig()
    cfg.steps = 100
    let acc = LinearProbe.fit(trainX: xtr, trainY: ytr, testX: xte, testY: yte, dim: dim, classes: K, config: cfg)
    XCTAssertEqual(acc.train, 1)
    XCTAssertEqual(acc.test, 1)
  }
}
