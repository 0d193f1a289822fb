import Foundation
import Trainer
import XCTest

struct Inner: Codable, Sendable, Equatable {
  var rate: Float = 0.5
  var name = "x"
}

struct SampleConfig: ValidatedConfig, Equatable {
  var steps = 10
  var batchSize = 4
  var inner = Inner()
  static var defaults: SampleConfig { SampleConfig() }
  func validate() throws {
    try require(steps >= 1, "steps", "must be at least 1, got \(steps)")
  }
}

final class ConfigLoaderTests: XCTestCase {
  func write(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).yaml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func testDefaultsFileAndOverrides() throws {
    let path = try write("steps: 20\ninner:\n  rate: 0.25\n")
    let c = try ConfigLoader.load(SampleConfig.self, path: path, overrides: ["inner.name=hello"])
    XCTAssertEqual(c, SampleConfig(steps: 20, batchSize: 4, inner: Inner(rate: 0.25, name: "hello")))
    // Files and flags spell keys in snake_case.
    XCTAssertEqual(try ConfigLoader.load(SampleConfig.self, path: nil, overrides: ["batch_size=8"]).batchSize, 8)
    XCTAssertThrowsError(try ConfigLoader.load(SampleConfig.self, path: nil, overrides: ["batchSize=8"])) { e in
      XCTAssertTrue(String(describing: e).contains("did you mean 'batch_size'"), "\(e)")
    }
    XCTAssertEqual(try ConfigLoader.load(SampleConfig.self, path: nil), SampleConfig())
  }

  func testUnknownKeyNamesTheNearestKnownOne() throws {
    let path = try write("inner:\n  rat: 0.25\n")
    XCTAssertThrowsError(try ConfigLoader.load(SampleConfig.self, path: path)) { e in
      let text = String(describing: e)
      XCTAssertTrue(text.contains(path) && text.contains("'inner.rat'") && text.contains("'inner.rate'"), text)
    }
    XCTAssertThrowsError(try ConfigLoader.load(SampleConfig.self, path: nil, overrides: ["stepz=3"])) { e in
      XCTAssertTrue(String(describing: e).contains("did you mean 'steps'"), "\(e)")
    }
    // 'nope' is three edits from both 'grpo' and 'lora': the tie goes to the first in
    // alphabetical order, whatever order the process's hashing gives the keys.
    XCTAssertThrowsError(try ConfigLoader.load(TrainConfig.self, path: nil, overrides: ["nope=1"])) { e in
      XCTAssertTrue(String(describing: e).contains("did you mean 'grpo'"), "\(e)")
    }
  }

  func testWrongTypeAndOutOfRange() throws {
    XCTAssertThrowsError(try ConfigLoader.load(SampleConfig.self, path: nil, overrides: ["steps=many"])) { e in
      XCTAssertTrue(String(describing: e).contains("'steps': expected an integer"), "\(e)")
    }
    XCTAssertThrowsError(try ConfigLoader.load(SampleConfig.self, path: nil, overrides: ["steps=0"])) { e in
      XCTAssertTrue(String(describing: e).contains("'steps': must be at least 1, got 0"), "\(e)")
    }
    XCTAssertThrowsError(try ConfigLoader.load(TrainConfig.self, path: nil, overrides: ["discriminator.mismatch_weight=-1"])) { e in
      XCTAssertTrue(String(describing: e).contains("'discriminator.mismatch_weight': must be ≥ 0, got -1.0"), "\(e)")
    }
    XCTAssertNoThrow(try ConfigLoader.load(TrainConfig.self, path: nil, overrides: ["discriminator.prompt_projection=true"]))
  }

  /// A run's config.yaml reads back to the same config and spells integers as integers.
  func testResolvedYAMLRoundTrips() throws {
    let config = try ConfigLoader.load(TrainConfig.self, path: nil, overrides: ["iterations=300", "kl.beta=2", "grpo.lr=0.0005"])
    let text = try ConfigLoader.yaml(config)
    XCTAssertTrue(text.contains("iterations: 300\n"), text)
    XCTAssertTrue(text.contains("group_size: 16\n"), text)
    XCTAssertFalse(text.contains("e+"), text)
    // Floats as decimals, not Yams's exponent form ("beta1: 5e-1").
    XCTAssertTrue(text.contains("beta1: 0.5\n") && text.contains("lr: 0.0005\n") && text.contains("beta: 2\n"), text)
    let path = try write(text)
    XCTAssertEqual(try ConfigLoader.load(TrainConfig.self, path: path), config)
    // Values too small or large for plain decimals keep an exponent and still read back.
    let tiny = try ConfigLoader.load(TrainConfig.self, path: nil, overrides: ["grpo.lr=1e-7", "grpo.weight_decay=0.000012"])
    let tinyPath = try write(try ConfigLoader.yaml(tiny))
    XCTAssertEqual(try ConfigLoader.load(TrainConfig.self, path: tinyPath), tiny)
  }
}

