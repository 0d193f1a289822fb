import Engine
import Foundation
import Models
import Trainer
import World
import XCTest

// The quality regressor's targets, its pretraining pipeline and files, and the shipped
// weights' behaviour: predicted damage must rise with true damage, so the "aesthetic"
// reward term cannot be maximised by anything but a cleaner image.
final class QualityTests: XCTestCase {
  /// Configs/ beside the package root, found from this file.
  static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Configs")

  /// Targets are the mix's severities in output order, and quality falls as any severity rises.
  func testTargetsAreMonotoneInSeverity() {
    XCTAssertEqual(QualityTargets.quality(.clean), 1)
    XCTAssertEqual(QualityTargets.severities(DegradationMix(severities: [0.1, 0.2, 0.3, 0.4])), [0.1, 0.2, 0.3, 0.4])
    for (k, kind) in Degradation.allCases.enumerated() {
      var last: Float = 2
      for s in stride(from: Float(0), through: 1, by: 0.125) {
        var sev: [Float] = [0.2, 0.3, 0.1, 0.4]
        sev[k] = s
        let mix = DegradationMix(severities: sev)
        XCTAssertEqual(QualityTargets.severities(mix)[k], mix[kind])
        let q = QualityTargets.quality(mix)
        XCTAssertLessThan(q, last, "\(kind) at \(s)")
        last = q
      }
    }
    XCTAssertEqual(QualityTargets.quality(DegradationMix(severities: [1, 1, 1, 1])), 0)
  }

  func testCorrelations() {
    XCTAssertEqual(Correlation.ranks([3, 1, 2, 2]), [4, 1, 2.5, 2.5])
    XCTAssertEqual(Correlation.spearman([1, 2, 3, 4], [10, 20, 30, 1000]), 1, accuracy: 1e-12)
    XCTAssertEqual(Correlation.pearson([1, 2, 3], [3, 2, 1]), -1, accuracy: 1e-12)
    XCTAssertEqual(Correlation.pearson([1, 1, 1], [3, 2, 1]), 0)
  }

  /// The tiny config trains, evaluates and saves; the saved weights load back to identical
  /// outputs (after the first F16 rounding), and a judge file is refused.
  func testTinyQualityPretrainAndLoaderRoundTrip() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quality-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let cfg = try ConfigLoader.load(QualityPretrainConfig.self, path: QualityTests.configs.appendingPathComponent("tiny-pretrain-quality.yaml").path,
                                    overrides: ["output=\(dir.path)"])
    let report = try pretrainQuality(cfg, log: { _ in })
    XCTAssertEqual(report.heldOut.images, cfg.evalCount)
    XCTAssertEqual(Set(report.heldOut.meanAbsoluteError.keys), Set(Degradation.allCases.map(\.rawValue)))
    let first = dir.appendingPathComponent("quality.safetensors").path
    let loaded = try ModelLoader.quality(path: first)
    XCTAssertEqual(loaded.config.names, ["blur", "noise", "blockiness", "colour-cast"])
    let second = dir.appendingPathComponent("again.safetensors").path
    try saveWeights(loaded.store, model: "quality", config: loaded.config, to: second)
    let again = try ModelLoader.quality(path: second)
    let x: [Float] = (0..<(2 * 3 * 16 * 16)).map { (i: Int) -> Float in Float((i * 13) % 29) / 14 - 1 }
    XCTAssertEqual(loaded.severities(images: x), again.severities(images: x))
    XCTAssertThrowsError(try ModelLoader.judge(path: first))
  }

  /// The shipped config is the built-in defaults, in the files' snake_case, and bad values
  /// are refused with the key's name.
  func testConfigFileAndValidation() throws {
    let path = QualityTests.configs.appendingPathComponent("pretrain-quality.yaml").path
    XCTAssertEqual(try ConfigLoader.load(QualityPretrainConfig.self, path: path), QualityPretrainConfig.defaults)
    XCTAssertThrowsError(try ConfigLoader.load(QualityPretrainConfig.self, path: nil, overrides: ["presence=0"])) { e in
      XCTAssertTrue(String(describing: e).contains("presence"), "\(e)")
    }
    XCTAssertThrowsError(try ConfigLoader.load(QualityPretrainConfig.self, path: nil, overrides: ["model.channels=4"]))
    for name in ["pretrain-judge-a.yaml", "pretrain-judge-b.yaml"] {
      let judge = try ConfigLoader.load(JudgePretrainConfig.self, path: QualityTests.configs.appendingPathComponent(name).path)
      var expected = JudgePretrainConfig.defaults
      (expected.name, expected.seed, expected.dataSeed, expected.output) = (judge.name, judge.seed, judge.dataSeed, judge.output)
      XCTAssertEqual(judge, expected, "\(name) differs from the defaults beyond name, seeds and output")
    }
    XCTAssertThrowsError(try ConfigLoader.load(JudgePretrainConfig.self, path: nil, overrides: ["name=critic"]))
  }

  /// The shipped regressor's predicted severity of each degradation rises with its true
  /// severity (mean over a few held-out renders), and its quality falls.
  func testShippedRegressorIsMonotoneInSeverity() throws {
    let model = try ModelLoader.quality(path: nil)
    let scenes = PromptSampler(seed: 31).heldOut(count: 8).enumerated().map { Renderer.render($1, size: 32, seed: UInt64($0)) }
    for (k, kind) in Degradation.allCases.enumerated() {
      var means: [Float] = [], qualities: [Float] = []
      for severity in [Float(0), 0.5, 1] {
        let images = scenes.enumerated().flatMap { i, s in kind.apply(to: s.image, severity: severity, seed: UInt64(i)).planarSigned() }
        let predicted = model.severities(images: images)
        means.append(predicted.reduce(0) { $0 + $1[k] } / Float(predicted.count))
        qualities.append(model.quality(images: images).reduce(0, +) / Float(predicted.count))
      }
      XCTAssertLessThan(means[0], means[1], "\(kind): \(means)")
      XCTAssertLessThan(means[1], means[2], "\(kind): \(means)")
      XCTAssertGreaterThan(qualities[0], qualities[2], "\(kind): \(qualities)")
    }
  }
}
