import Engine
import Foundation
import GRPO
import TestSupport
import XCTest

final class PolicyLossTests: XCTestCase {
  func rows(R: Int, D: Int, seed: UInt64, oldShift: Float = 0) -> (PolicyRows, [Float]) {
    let sched = SigmaSchedule(steps: 10)
    let steps = (0..<R).map { SDEStep(schedule: sched, step: 1 + $0 % 8, noiseLevel: 0.7) }
    let x = seededNormal(R * D, seed: seed), next = seededNormal(R * D, seed: seed + 1, std: 0.5)
    let v = seededNormal(R * D, seed: seed + 2)
    // Old log-probs near the current ones, so ratios sit around 1 with some outside the clip.
    var old = [Float](repeating: 0, count: R)
    for r in 0..<R {
      var mean = [Float](repeating: 0, count: D)
      for i in 0..<D { mean[i] = steps[r].cx * x[r * D + i] + steps[r].cv * v[r * D + i] }
      old[r] = next.withUnsafeBufferPointer { nb in
        mean.withUnsafeBufferPointer { mb in steps[r].logProb(next: nb.baseAddress! + r * D, mean: mb.baseAddress!, count: D, reduce: .mean) }
      } + oldShift * Float(r % 3 - 1)
    }
    let adv: [Float] = (0..<R).map { Float($0 % 5) - 2 }
    return (PolicyRows(states: x, nextStates: next, oldLogProbs: old, advantages: adv,
                       weights: (0..<R).map { 0.5 + Float($0) / Float(R) }, steps: steps), v)
  }

  /// With the velocity that produced the old log-probs the ratio is exactly 1: no clipping,
  /// policy loss = −mean(w·A), approx_kl = 0.
  func testOnPolicyRatioIsOne() {
    let (r, v) = rows(R: 6, D: 5, seed: 1)
    let g = Graph()
    let (_, stats) = policyLoss(g, velocity: g.leaf(v, Shape(6, 5)), referenceVelocity: nil, rows: r,
                                config: PolicyLossConfig(clipRange: 1e-4, klBeta: 0))
    XCTAssertEqual(stats.ratioMin, 1, accuracy: 1e-5)
    XCTAssertEqual(stats.ratioMax, 1, accuracy: 1e-5)
    XCTAssertEqual(stats.clipfrac, 0)
    XCTAssertEqual(stats.approxKL, 0, accuracy: 1e-10)
    let expected = -zip(r.advantages, r.weights).map { $0 * $1 }.reduce(0, +) / 6
    XCTAssertEqual(stats.policyLoss, expected, accuracy: 1e-5)
  }

  /// The whole loss (clipped policy + KL) differentiated through v, against finite differences.
  func testLossGradientMatchesFiniteDifferences() {
    let (r, v) = rows(R: 6, D: 4, seed: 2, oldShift: 0.02)
    let vRef = seededNormal(24, seed: 9)
    for form in KLForm.allCases {
      let cfg = PolicyLossConfig(clipRange: 0.01, klBeta: 0.3, klForm: form)
      let result = gradCheck(inputs: [(v, Shape(6, 4))], eps: 1e-3) { g, x in
        policyLoss(g, velocity: x[0], referenceVelocity: vRef, rows: r, config: cfg).loss
      }
      XCTAssertLessThan(result.worst, 2e-2, "\(form): \(result)")
    }
  }

  /// The KL in μ equals its closed form in v: (|dt|/2)·(s(1−σ)/(2σ) + 1/s)²·mean(Δv²).
  func testKLEqualsClosedFormInV() {
    let sched = SigmaSchedule(steps: 10)
    let step = SDEStep(schedule: sched, step: 4, noiseLevel: 0.7)
    let D = 7
    let v = seededNormal(D, seed: 3), vRef = seededNormal(D, seed: 4)
    let rows = PolicyRows(states: seededNormal(D, seed: 5), nextStates: seededNormal(D, seed: 6), oldLogProbs: [0],
                          advantages: [0], weights: [1], steps: [step])
    let g = Graph()
    let (_, stats) = policyLoss(g, velocity: g.constant(v, Shape(1, D)), referenceVelocity: vRef, rows: rows,
                                config: PolicyLossConfig(klBeta: 1, klForm: .exact))
    let s = Double(step.s), t = Double(step.sigma), dt = Double(step.dt)
    let dv2 = zip(v, vRef).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(D)
    let closed = abs(dt) / 2 * pow(s * (1 - t) / (2 * t) + 1 / s, 2) * dv2
    XCTAssertEqual(Double(stats.kl), closed, accuracy: 1e-4 * max(1, closed))
  }

  func testClipFractionsCountBothSides() {
    let (r, v) = rows(R: 9, D: 3, seed: 7, oldShift: 0.5)
    let g = Graph()
    let (_, stats) = policyLoss(g, velocity: g.constant(v, Shape(9, 3)), referenceVelocity: nil, rows: r,
                                config: PolicyLossConfig(clipRange: 0.1, klBeta: 0))
    // oldShift·(r%3 − 1) moves a third of the rows up and a third down by 0.5 in log space.
    XCTAssertEqual(stats.clipfracHigh, 3.0 / 9, accuracy: 1e-6)
    XCTAssertEqual(stats.clipfracLow, 3.0 / 9, accuracy: 1e-6)
    XCTAssertEqual(stats.clipfrac, 6.0 / 9, accuracy: 1e-6)
  }
}
