import Foundation
import TestSupport
import Trainer
import XCTest

/// `grpotop probe`: the same random-init baseline as pretraining's own probe, and the command
/// as a user runs it (a table of four attributes; one-line errors for a bad key or file).
final class ProbeCommandTests: WholeProgramTestCase {
  /// A tiny backbone trained for two steps into the test's scratch directory.
  func tinyBackbone() throws -> (cfg: BackbonePretrainConfig, report: BackbonePretrainReport, path: String) {
    var cfg = try ConfigLoader.load(BackbonePretrainConfig.self, path: configPath("tiny-pretrain-backbone.yaml"))
    cfg.steps = 2
    cfg.output = try scratchDirectory("probe").path
    let report = try pretrainBackbone(cfg, log: { _ in })
    return (cfg, report, "\(cfg.output)/backbone.safetensors")
  }

  /// Probing the saved file rebuilds pretraining's random initialisation: the baseline
  /// column is the pretraining report's, to the bit, and a second probe repeats the first.
  func testProbeOfASavedBackboneRepeatsPretrainingsBaseline() throws {
    let (cfg, report, path) = try tinyBackbone()
    let first = probeBackbone(try ModelLoader.backbone(path: path), cfg, log: { _ in })
    let second = probeBackbone(try ModelLoader.backbone(path: path), cfg, log: { _ in })
    let pretrained = try XCTUnwrap(report.probe)
    XCTAssertEqual(first.cls.map(\.randomInit), pretrained.cls.map(\.randomInit))
    XCTAssertEqual(first.clsMeanPatch.map(\.randomInit), pretrained.clsMeanPatch.map(\.randomInit))
    XCTAssertEqual(first.cls.map(\.trained), second.cls.map(\.trained))
  }

  func testProbeCommandPrintsTheTableAndRefusesBadInput() throws {
    let bin = try requireBinary(tmux: false)
    let (_, _, path) = try tinyBackbone()
    let tiny = configPath("tiny-pretrain-backbone.yaml")
    let ok = Subprocess.run(bin, ["probe", path, "--config", tiny, "--set", "probe.steps=20"])
    XCTAssertEqual(ok.status, 0, ok.stderr)
    for attribute in ["colour", "shape", "position", "style"] {
      XCTAssertTrue(ok.stdout.contains("\n\(attribute) "), "no \(attribute) row in:\n\(ok.stdout)")
    }

    let badKey = Subprocess.run(bin, ["probe", path, "--config", tiny, "--set", "probe.stepz=20"])
    XCTAssertNotEqual(badKey.status, 0)
    XCTAssertTrue(badKey.stderr.contains("stepz"), badKey.stderr)
    XCTAssertEqual(badKey.stderr.split(separator: "\n").filter { $0.hasPrefix("Error") }.count, 1, badKey.stderr)

    let missing = Subprocess.run(bin, ["probe", "/nonexistent/backbone.safetensors", "--config", tiny])
    XCTAssertNotEqual(missing.status, 0)
    XCTAssertTrue(missing.stderr.contains("/nonexistent/backbone.safetensors"), missing.stderr)
  }
}
