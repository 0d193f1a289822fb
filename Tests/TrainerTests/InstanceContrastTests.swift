import Engine
import Foundation
import Models
import TestSupport
import Trainer
import XCTest

/// SimCLR's instance contrast: the loss by hand, its gradient, retrieval accuracy, and a tiny
/// backbone run with it alone and beside DINO.
final class InstanceContrastTests: XCTestCase {
  /// Two images, two views each, embeddings on the unit circle: the loss is the mean over the
  /// four rows of −log(e^{c⁺/τ} / Σ_{j≠i} e^{c_j/τ}), computed here from the cosines directly.
  func testLossByHand() {
    let angles: [Float] = [0, 1.2, 0.3, 1.0]  // rows 0, 1 are view 1 of images 0, 1; rows 2, 3 view 2
    let z = angles.flatMap { [Foundation.cos($0), Foundation.sin($0)] }
    let tau: Float = 0.5
    var expected: Double = 0
    for i in 0..<4 {
      var denominator = 0.0, positive = 0.0
      for j in 0..<4 where j != i {
        let e = exp(Double(Foundation.cos(angles[i] - angles[j]) / tau))
        denominator += e
        if j == (i + 2) % 4 { positive = e }
      }
      expected -= log(positive / denominator) / 4
    }
    let g = Graph()
    let l = InstanceContrast.loss(g, embeddings: g.constant(z, Shape(4, 2)), temperature: tau)
    XCTAssertEqual(Double(l[0]), expected, accuracy: 1e-5)
    XCTAssertEqual(InstanceContrast.accuracy(g.constant(z, Shape(4, 2))), 1, "every view's nearest other view is its partner")
    let swapped = [angles[0], angles[1], angles[3], angles[2]].flatMap { [Foundation.cos($0), Foundation.sin($0)] }
    XCTAssertEqual(InstanceContrast.accuracy(g.constant(swapped, Shape(4, 2))), 0)
  }

  /// The gradient through the similarity matrix (z appears on both sides of z·zᵀ) and the
  /// L2 normalisation before it matches finite differences.
  func testGradientMatchesFiniteDifferences() {
    let N = 6, d = 5
    let r = gradCheck(inputs: [(seededNormal(N * d, seed: 21), Shape(N, d))], eps: 1e-2) { g, x in
      InstanceContrast.loss(g, embeddings: g.l2Normalize(x[0]), temperature: 0.3)
    }
    XCTAssertLessThan(r.worst, 1e-2, "instance contrast gradient: \(r)")
  }

  /// The tiny backbone run with instance contrast alone (no teacher) and beside DINO: both
  /// deterministic, both finite, each its own run, and alone it ships the student.
  func testTinyPretrainingWithInstanceContrast() throws {
    var cfg = try ConfigLoader.load(BackbonePretrainConfig.self, path: configPath("tiny-pretrain-backbone.yaml"))
    cfg.probe.trainImages = 0
    let plain = trainBackbone(cfg, log: { _ in })
    cfg.contrastive.weight = 1
    let both = trainBackbone(cfg, log: { _ in })
    XCTAssertEqual(both.teacher.store.snapshot(), trainBackbone(cfg, log: { _ in }).teacher.store.snapshot())
    XCTAssertNotEqual(both.student.store.snapshot().prefix(1000), plain.student.store.snapshot().prefix(1000))
    cfg.dinoWeight = 0
    let alone = trainBackbone(cfg, log: { _ in })
    XCTAssertEqual(alone.student.store.snapshot(), trainBackbone(cfg, log: { _ in }).student.store.snapshot())
    XCTAssertTrue(alone.lossCurve.allSatisfy { $0[1].isFinite && $0[1] > 0 }, "\(alone.lossCurve)")
    XCTAssertNotEqual(alone.student.store.snapshot().prefix(1000), both.student.store.snapshot().prefix(1000))
    XCTAssertEqual(alone.teacher.store.snapshot(), trainBackbone({ var c = cfg; c.steps = 1; return c }(), log: { _ in }).teacher.store.snapshot(),
                   "alone, the teacher is never updated: it is the same after one step as after all")

    cfg.steps = 2
    cfg.output = FileManager.default.temporaryDirectory.appendingPathComponent("bb-nce-\(UUID().uuidString)").path
    let report = try pretrainBackbone(cfg, log: { _ in })
    XCTAssertEqual(report.saved, "student backbone")
    let saved = try ModelLoader.backbone(path: "\(cfg.output)/backbone.safetensors")
    let trained = trainBackbone(cfg, log: { _ in }).student
    let g = Graph()
    let x = g.constant(seededUniform(2 * 3 * cfg.model.imageSize * cfg.model.imageSize, seed: 5),
                       Shape(2, 3, cfg.model.imageSize, cfg.model.imageSize))
    XCTAssertLessThan(maxAbsDiff(saved.cls(g, images: x).toArray(), trained.backbone.cls(g, images: x).toArray()), 1e-2,
                      "the saved backbone is the student's (F16)")
  }

  /// Bad settings name their key.
  func testValidation() {
    var cfg = BackbonePretrainConfig()
    XCTAssertNoThrow(try cfg.validate(), "the shipped defaults")
    cfg.contrastive.weight = 0
    cfg.dinoWeight = 0
    XCTAssertThrowsError(try cfg.validate()) { XCTAssertTrue("\($0)".contains("dinoWeight"), "\($0)") }
    cfg.contrastive.weight = 1
    XCTAssertNoThrow(try cfg.validate())
    cfg.mim.weight = 1
    XCTAssertThrowsError(try cfg.validate()) { XCTAssertTrue("\($0)".contains("contrastive.weight"), "\($0)") }
    cfg.mim.weight = 0
    cfg.contrastive.temperature = 0
    XCTAssertThrowsError(try cfg.validate()) { XCTAssertTrue("\($0)".contains("contrastive.temperature"), "\($0)") }
  }
}
