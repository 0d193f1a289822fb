import Engine
import Foundation
import GRPO
import TestSupport
import XCTest

final class SDEStepTests: XCTestCase {
  /// Step 3 of a 10-step uniform schedule at a = 0.7, computed by hand:
  /// σ = 0.7, dt = −0.1, s = 0.7·√(0.7/0.3) = 1.069268…, std = s·√0.1.
  func testStepAgainstHandComputedCase() {
    let step = SDEStep(schedule: SigmaSchedule(steps: 10), step: 3, noiseLevel: 0.7)
    let s = 0.7 * (0.7 / 0.3).squareRoot()
    XCTAssertEqual(Double(step.sigma), 0.7, accuracy: 1e-6)
    XCTAssertEqual(Double(step.dt), -0.1, accuracy: 1e-6)
    XCTAssertEqual(Double(step.s), s, accuracy: 1e-5)
    XCTAssertEqual(Double(step.std), s * 0.1.squareRoot(), accuracy: 1e-5)
    // mean = x + dt·[v + s²/(2σ)·(x + (1−σ)·v)] at x = 0.4, v = −1.2
    let x = 0.4, v = -1.2
    let expected = x + -0.1 * (v + s * s / 1.4 * (x + 0.3 * v))
    var out: Float = 0
    var xf = Float(x), vf = Float(v)
    step.mean(x: &xf, v: &vf, into: &out, count: 1)
    XCTAssertEqual(Double(out), expected, accuracy: 1e-5)
  }

  /// At σ = 1 the first step borrows σ' = sigmas[1]: s = a·√(1 / (1 − sigmas[1])).
  func testFirstStepSpecialCase() {
    let sched = SigmaSchedule(steps: 10, shift: 3)
    let step = SDEStep(schedule: sched, step: 0, noiseLevel: 0.7)
    let expected = 0.7 * (1 / (1 - Double(sched.sigmas[1]))).squareRoot()
    XCTAssertEqual(Double(step.s), expected, accuracy: 1e-4)
    XCTAssertTrue(step.std.isFinite && step.std > 0)
  }

  func testZeroNoiseIsTheEulerStep() {
    let step = SDEStep(schedule: SigmaSchedule(steps: 4), step: 1, noiseLevel: 0)
    XCTAssertEqual(step.std, 0)
    XCTAssertEqual(step.cx, 1)
    XCTAssertEqual(step.cv, step.dt)
  }

  /// A 1-D Gaussian data distribution N(0, 0.5²) has an exact velocity field; the SDE
  /// sampler with it must end with the data's standard deviation, as the ODE would.
  func testGaussianMarginalIsKeptThroughManySteps() {
    let sigma0: Float = 0.5, B = 20_000, steps = 200
    let streams = (0..<B).map { RNG(seed: 11).stream(UInt64($0)) }
    let traj = SDESampler.sample(shape: Shape(B, 1), schedule: SigmaSchedule(steps: steps), noiseLevel: 0.7, reduce: .mean,
                                 noiseStreams: streams, graph: Graph()) { g, x, t in
      let v = g.output(x.shape, grad: false)
      for i in 0..<x.count {
        let tt = t.data[i]
        let variance = (1 - tt) * (1 - tt) * sigma0 * sigma0 + tt * tt
        v.data[i] = x.data[i] * (tt - (1 - tt) * sigma0 * sigma0) / variance
      }
      return v
    }
    let final = traj.final
    let mean = final.reduce(0.0) { $0 + Double($1) } / Double(B)
    let std = (final.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(B)).squareRoot()
    XCTAssertEqual(std, 0.5, accuracy: 0.015, "SDE sampling changed the marginal: std \(std)")
    XCTAssertEqual(mean, 0, accuracy: 0.02)
  }

  /// log-probs recorded by the sampler match the density formula for the stored move.
  func testRecordedLogProbMatchesDensity() {
    let streams = (0..<2).map { RNG(seed: 3).stream(UInt64($0)) }
    let sched = SigmaSchedule(steps: 5)
    let traj = SDESampler.sample(shape: Shape(2, 3), schedule: sched, noiseLevel: 0.7, reduce: .sum, noiseStreams: streams,
                                 graph: Graph(), keepVelocities: true) { g, x, _ in g.scale(x, -0.5) }
    for k in 0..<5 {
      let step = SDEStep(schedule: sched, step: k, noiseLevel: 0.7)
      for b in 0..<2 {
        var lp = 0.0
        for i in 0..<3 {
          let x = Double(traj.states[k][b * 3 + i]), v = Double(traj.velocities[k][b * 3 + i])
          let mean = Double(step.cx) * x + Double(step.cv) * v
          let z = (Double(traj.states[k + 1][b * 3 + i]) - mean) / Double(step.std)
          lp += -0.5 * z * z - Foundation.log(Double(step.std)) - 0.5 * Foundation.log(2 * Double.pi)
        }
        XCTAssertEqual(Double(traj.logProb(sample: b, step: k)), lp, accuracy: 1e-3)
      }
    }
  }
}
