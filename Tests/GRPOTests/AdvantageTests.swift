import Engine
import GRPO
import XCTest

final class AdvantageTests: XCTestCase {
  func testGroupStdAdvantages() {
    let a = groupAdvantages(rewards: [1, 2, 3, 5, 5, 5], groupSize: 3, std: .group)
    let s = (2.0 / 3.0).squareRoot()  // ddof 0 std of 1, 2, 3
    XCTAssertEqual(Double(a.values[0]), -1 / (s + 1e-4), accuracy: 1e-4)
    XCTAssertEqual(a.values[1], 0)
    XCTAssertEqual(Array(a.values[3...]), [0, 0, 0])
    XCTAssertEqual(a.trained, [true, true, true, false, false, false])
    XCTAssertEqual(a.zeroStdGroups, 1)
    XCTAssertEqual(a.zeroStdRatio, 0.5)
  }

  func testGlobalStdAndClipping() {
    let rewards: [Float] = [0, 0, 0, 100, 1, 2]
    let a = groupAdvantages(rewards: rewards, groupSize: 3, std: .global, clip: 5)
    XCTAssertEqual(a.zeroStdGroups, 1)
    XCTAssertLessThanOrEqual(a.values.map(abs).max() ?? 0, 5)
    // Unclipped values use the std of all six rewards.
    let tiny = groupAdvantages(rewards: [1, 2, 1.5, 1.5], groupSize: 2, std: .global, clip: 100)
    let mean = 1.5, varAll = [1.0, 2, 1.5, 1.5].map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
    XCTAssertEqual(Double(tiny.values[1]), 0.5 / (varAll.squareRoot() + 1e-4), accuracy: 1e-3)
  }

  func testBesselCorrection() {
    let a = groupAdvantages(rewards: [0, 1], groupSize: 2, std: .group, ddof: 1, eps: 1e-8)
    // ddof 1 std of {0, 1} is √0.5.
    XCTAssertEqual(Double(a.values[1]), 0.5 / 0.5.squareRoot(), accuracy: 1e-5)
  }

  func testTrainedStepSelection() {
    let first = trainedSteps(samples: 2, steps: 10, fraction: 0.99, mode: .first, rng: RNG(seed: 1))
    XCTAssertEqual(first, [Array(0..<9), Array(0..<9)])
    let random = trainedSteps(samples: 3, steps: 10, fraction: 0.6, mode: .random, rng: RNG(seed: 1))
    XCTAssertTrue(random.allSatisfy { $0.count == 6 && Set($0).count == 6 && $0.allSatisfy { (0..<10).contains($0) } })
    XCTAssertNotEqual(random[0], random[1])
  }

  func testTemporalWeightsAverageOne() {
    for alpha: Float in [0.25, 0.5, 1, 2] {
      let w = temporalWeights(count: 9, alpha: alpha)
      XCTAssertEqual(w.reduce(0, +) / 9, 1, accuracy: 1e-6)
      if alpha < 1 { XCTAssertGreaterThan(w[0], w[8], "α < 1 weights early (noisy) steps more") }
    }
    XCTAssertEqual(temporalWeights(count: 4, alpha: 1), [1, 1, 1, 1])
  }
}
