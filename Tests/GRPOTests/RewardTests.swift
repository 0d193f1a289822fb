import Engine
import GRPO
import TestSupport
import World
import XCTest

final class RewardTests: XCTestCase {
  func testWinRatesOfAGroupSumToHalfG() {
    var rng = RNG(seed: 4)
    for G in [2, 3, 8, 16] {
      let quality = (0..<G).map { _ in rng.uniform() }
      // A biased judge: prefers whichever image is shown first by 0.1.
      let rates = groupWinRates(groupSize: G, tieMargin: 0.02) { a, b in
        min(1, max(0, 0.5 + (quality[a] - quality[b]) + 0.1))
      }
      XCTAssertEqual(rates.reduce(0, +), Float(G) / 2, accuracy: 1e-5)
      // Averaging both orders removes the position bias: the best sample wins every pair.
      if let best = quality.indices.max(by: { quality[$0] < quality[$1] }), G > 2 {
        XCTAssertEqual(rates[best], 1, accuracy: 1e-6)
      }
    }
  }

  /// Black is 0, white is 1, and values past white (the sampler is not clamped) earn nothing more.
  func testBrightnessIsTheClampedMeanPixel() throws {
    let S = 2, D = 3 * S * S
    let images: [Float] = [Float](repeating: -1, count: D) + [Float](repeating: 1, count: D)
      + [Float](repeating: 3, count: D) + (0..<D).map { $0 < D / 2 ? -1 : 0 }
    let batch = RewardBatch(images: images, imageSize: S, prompts: [try Prompt.parse("red circle"), try Prompt.parse("blue star")],
                            groupSize: 2)
    let r = BrightnessReward().score(batch)
    XCTAssertEqual(r, [0, 1, 1, 0.25])
  }

  func testTiesCountHalf() {
    let rates = groupWinRates(groupSize: 3, tieMargin: 0.05) { _, _ in 0.52 }
    XCTAssertEqual(rates, [0.5, 0.5, 0.5])
  }

  func testMixingNormalisesEachRewardWithinItsGroup() {
    let mixed = mixRewards(["a": [1, 2, 3, 10, 10, 10], "b": [100, 300, 200, 0, 1, 2]],
                           weights: [RewardWeight(name: "a", weight: 1), RewardWeight(name: "b", weight: 0.5)], groupSize: 3)
    // Group 1: a → (−1, 0, 1), b → (−1, 1, 0); group 2: a constant → 0, b → (−1, 0, 1).
    let expected: [Float] = [-1.5, 0.5, 1, -0.5, 0, 0.5]
    for (m, e) in zip(mixed, expected) { XCTAssertEqual(m, e, accuracy: 1e-4) }
  }

  /// Two well-separated clouds of unit feature vectors: the head must learn to tell them apart.
  func testDiscriminatorSeparatesSeparatedInputs() {
    let d = 16, T = 5, n = 12
    func cloud(_ centre: Float, seed: UInt64) -> TokenFeatures {
      var rng = RNG(seed: seed)
      var v = [Float](repeating: 0, count: n * T * d)
      for row in 0..<(n * T) {
        var norm: Float = 0
        for i in 0..<d {
          let x = (i < d / 2 ? centre : -centre) + 0.3 * rng.normal()
          v[row * d + i] = x
          norm += x * x
        }
        for i in 0..<d { v[row * d + i] /= norm.squareRoot() }
      }
      return TokenFeatures(values: v, count: n, tokens: T, width: d)
    }
    let refs = cloud(1, seed: 1), gens = cloud(-1, seed: 2)
    var cfg = DiscriminatorConfig()
    cfg.hidden = 32
    cfg.lr = 3e-3
    let disc = Discriminator(config: cfg, featureWidth: d, seed: 3)
    let report = disc.train(references: refs, generated: gens, steps: 60)
    XCTAssertLessThan(report.lossAfter, report.lossBefore)
    XCTAssertGreaterThanOrEqual(report.accuracyAfter, 0.95)
    let rRef = disc.rewards(refs), rGen = disc.rewards(gens)
    XCTAssertGreaterThan(rRef.reduce(0, +) / Float(n), rGen.reduce(0, +) / Float(n))
  }

  func testAdaptiveRuleFiresExactlyWhenGeneratedOutscoresReferences() {
    var adaptive = DiscriminatorConfig()
    adaptive.schedule = .adaptive
    let disc = Discriminator(config: adaptive, featureWidth: 4, seed: 0)
    XCTAssertEqual(disc.trigger(iteration: 0, meanGenerated: 0.51, meanReference: 0.5), "adaptive")
    XCTAssertNil(disc.trigger(iteration: 0, meanGenerated: 0.5, meanReference: 0.5))
    XCTAssertNil(disc.trigger(iteration: 0, meanGenerated: 0.2, meanReference: 0.5))
    var cfg = DiscriminatorConfig()
    cfg.schedule = .ratio
    cfg.ratio = 4
    let ratio = Discriminator(config: cfg, featureWidth: 4, seed: 0)
    let fired = (0..<8).map { ratio.trigger(iteration: $0, meanGenerated: 0, meanReference: 1) != nil }
    XCTAssertEqual(fired, [true, true, true, false, true, true, true, false])
  }
}
