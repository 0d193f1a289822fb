import Engine
import Foundation
import Models
import TestSupport
import Trainer
import XCTest

/// iBOT's masked-patch objective: the block masks, the patch loss, and a tiny run with it.
final class MaskedPatchesTests: XCTestCase {
  /// Masks hit their ratio exactly, come in blocks (most masked patches touch another), and
  /// the same stream gives the same masks.
  func testBlockMasksHitTheirRatioInBlocks() {
    let side = 8
    var rng = RNG(seed: 4)
    var touching = 0, masked = 0
    for trial in 0..<200 {
      let ratio: Float = [0.1, 0.3, 0.5][trial % 3]
      let mask = PatchMasks.block(side: side, ratio: ratio, rng: &rng)
      XCTAssertEqual(mask.count, side * side)
      XCTAssertTrue(mask.allSatisfy { $0 == 0 || $0 == 1 })
      XCTAssertEqual(Int(mask.reduce(0, +)), Int((ratio * Float(side * side)).rounded()), "ratio \(ratio), trial \(trial)")
      for r in 0..<side {
        for c in 0..<side where mask[r * side + c] == 1 {
          masked += 1
          let neighbours = [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)].filter { $0.0 >= 0 && $0.0 < side && $0.1 >= 0 && $0.1 < side }
          if neighbours.contains(where: { mask[$0.0 * side + $0.1] == 1 }) { touching += 1 }
        }
      }
    }
    XCTAssertGreaterThan(Double(touching) / Double(masked), 0.9, "masked patches come in blocks")
    var a = RNG(seed: 8), b = RNG(seed: 8)
    XCTAssertEqual(PatchMasks.batch(views: 5, side: side, ratio: [0.1, 0.5], rng: &a),
                   PatchMasks.batch(views: 5, side: side, ratio: [0.1, 0.5], rng: &b))
  }

  /// Unmasked rows carry no target and no loss; with uniform student scores every masked patch
  /// costs log K, so the mean is log K; the gradient matches finite differences.
  func testPatchLossByHandAndItsGradient() {
    let K = 4, rows = 6
    let probs = (0..<rows).flatMap { r in (0..<K).map { Float(($0 + r) % K + 1) / 10 } }  // rows sum to 1
    let mask: [Float] = [1, 0, 0, 1, 1, 0]
    let (targets, masked) = PatchMasks.targets(teacherProbs: probs, mask: mask, prototypes: K)
    XCTAssertEqual(masked, 3)
    for r in 0..<rows {
      let row = Array(targets[(r * K)..<((r + 1) * K)])
      XCTAssertEqual(row, mask[r] == 1 ? Array(probs[(r * K)..<((r + 1) * K)]) : [0, 0, 0, 0])
    }
    let g = Graph()
    let l = PatchMasks.loss(g, studentScores: g.leaf([Float](repeating: 0.3, count: rows * K), Shape(rows, K)),
                            targets: g.constant(targets, Shape(rows, K)), masked: masked, studentTemperature: 0.1)
    XCTAssertEqual(Double(l[0]), log(Double(K)), accuracy: 1e-5)
    let r = gradCheck(inputs: [(seededUniform(rows * K, seed: 3), Shape(rows, K))], eps: 1e-2) { g, x in
      PatchMasks.loss(g, studentScores: x[0], targets: g.constant(targets, Shape(rows, K)), masked: masked, studentTemperature: 0.5)
    }
    XCTAssertLessThan(r.worst, 1e-2, "patch loss gradient: \(r)")
  }

  /// SimMIM's targets are each patch's pixels with mean 0 and variance 1 (a flat patch: all
  /// 0); its loss is the squared error over masked patches only, and its gradient matches
  /// finite differences.
  func testPixelTargetsAndLoss() {
    let S = 8, p = 4, F = 48, rows = 4
    var image = seededUniform(3 * S * S, seed: 12)
    for c in 0..<3 { for y in 0..<4 { for x in 4..<8 { image[c * S * S + y * S + x] = 0.25 } } }  // patch 1 is flat
    let g = Graph()
    let targets = PatchMasks.pixelTargets(g, images: g.constant(image, Shape(1, 3, S, S)), patch: p)
    XCTAssertEqual(targets.count, rows * F)
    for r in 0..<rows {
      let row = targets[(r * F)..<((r + 1) * F)]
      let mean = row.reduce(0, +) / Float(F), variance = row.map { $0 * $0 }.reduce(0, +) / Float(F)
      XCTAssertEqual(mean, 0, accuracy: 1e-4)
      XCTAssertEqual(variance, r == 1 ? 0 : 1, accuracy: 1e-3, "patch \(r)")
    }
    let mask: [Float] = [1, 0, 1, 0]
    let predictions = seededUniform(rows * F, seed: 13)
    var expected: Float = 0
    for r in [0, 2] { for i in 0..<F { expected += (predictions[r * F + i] - targets[r * F + i]) * (predictions[r * F + i] - targets[r * F + i]) } }
    let l = PatchMasks.pixelLoss(g, predictions: g.leaf(predictions, Shape(rows, F)), targets: targets, mask: mask)
    XCTAssertEqual(l[0], expected / Float(2 * F), accuracy: 1e-4)
    let r = gradCheck(inputs: [(predictions, Shape(rows, F))], eps: 1e-2) { g, x in
      PatchMasks.pixelLoss(g, predictions: x[0], targets: targets, mask: mask)
    }
    XCTAssertLessThan(r.worst, 1e-2, "pixel loss gradient: \(r)")
  }

  /// The tiny backbone run with the patch objective on, with either target: deterministic,
  /// the mask token (and the pixel decoder) learn, and the saved backbone holds neither head
  /// nor mask token.
  func testTinyPretrainingWithMaskedPatches() throws {
    var cfg = try ConfigLoader.load(BackbonePretrainConfig.self, path: configPath("tiny-pretrain-backbone.yaml"))
    cfg.mim.weight = 1
    cfg.probe.trainImages = 0
    let a = trainBackbone(cfg, log: { _ in })
    let b = trainBackbone(cfg, log: { _ in })
    XCTAssertEqual(a.teacher.store.snapshot(), b.teacher.store.snapshot())
    XCTAssertTrue(a.lossCurve.allSatisfy { $0[1].isFinite && $0[1] > 0 }, "\(a.lossCurve)")
    let start = ParameterStore()
    let fresh = DINONetwork(backbone: cfg.model, head: cfg.head, store: start, maskToken: true)
    start.allocate(seed: cfg.seed)
    guard let token = a.student.maskToken, let initial = fresh.maskToken else { return XCTFail("no mask token") }
    XCTAssertNotEqual(a.student.store[token].toArray(), start[initial].toArray(), "the mask token is trained")
    // Plain DINO on the same config is a different run (the patch loss moves the weights).
    cfg.mim.weight = 0
    XCTAssertNotEqual(trainBackbone(cfg, log: { _ in }).teacher.store.snapshot().prefix(1000),
                      a.teacher.store.snapshot().prefix(1000))

    // SimMIM's pixel target: the decoder learns, and the run is its own, deterministic one.
    cfg.mim.weight = 1
    cfg.mim.target = .pixels
    let p1 = trainBackbone(cfg, log: { _ in }), p2 = trainBackbone(cfg, log: { _ in })
    XCTAssertEqual(p1.teacher.store.snapshot(), p2.teacher.store.snapshot())
    XCTAssertTrue(p1.lossCurve.allSatisfy { $0[1].isFinite && $0[1] > 0 }, "\(p1.lossCurve)")
    let freshPixels = ParameterStore()
    _ = DINONetwork(backbone: cfg.model, head: cfg.head, store: freshPixels, maskToken: true, pixelDecoder: true)
    freshPixels.allocate(seed: cfg.seed)
    guard let decoder = freshPixels.param(named: "mim.decoder.weight"), let trained = p1.student.store.param(named: "mim.decoder.weight")
    else { return XCTFail("no pixel decoder") }
    XCTAssertNotEqual(p1.student.store[trained].toArray(), freshPixels[decoder].toArray(), "the decoder is trained")
    XCTAssertNotEqual(p1.teacher.store.snapshot().prefix(1000), a.teacher.store.snapshot().prefix(1000))

    cfg.steps = 2
    cfg.output = FileManager.default.temporaryDirectory.appendingPathComponent("bb-mim-\(UUID().uuidString)").path
    _ = try pretrainBackbone(cfg, log: { _ in })
    let file = try SafeTensorsFile.read(path: "\(cfg.output)/backbone.safetensors")
    XCTAssertFalse(file.tensors.contains { $0.name.hasPrefix("head.") || $0.name.hasPrefix("mim.") })
    XCTAssertNoThrow(try ModelLoader.backbone(path: "\(cfg.output)/backbone.safetensors"))
  }
}
