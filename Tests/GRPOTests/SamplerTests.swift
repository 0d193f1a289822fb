import Engine
import GRPO
import XCTest

final class SamplerTests: XCTestCase {
  func testScheduleEndpointsAndShift() {
    let s = SigmaSchedule(steps: 10)
    XCTAssertEqual(s.sigmas.count, 11)
    XCTAssertEqual(s.sigmas[0], 1)
    XCTAssertEqual(s.sigmas[10], 0)
    XCTAssertEqual(s.sigmas[5], 0.5, accuracy: 1e-6)
    // shift 3 at s = 0.5: 1.5 / (1 + 2·0.5) = 0.75; it keeps more of the walk at high noise.
    XCTAssertEqual(SigmaSchedule(steps: 2, shift: 3).sigmas[1], 0.75, accuracy: 1e-6)
  }

  /// With the exact velocity of a point mass at x₀ (v = (x − x₀)/σ … here the straight-line
  /// flow v = ε − x₀ is constant along each path), Euler integration is exact.
  func testODEOnStraightPathsIsExact() {
    let x0: [Float] = [0.5, -0.25, 1.0, 0.0]
    let noise: [Float] = [1.2, -0.7, 0.3, 2.0]
    // Along x_t = (1 − t)·x₀ + t·ε, v = ε − x₀ = (x_t − x₀)/t.
    let result = ODESampler.sample(noise: noise, shape: Shape(2, 2), schedule: SigmaSchedule(steps: 7), graph: Graph()) { g, x, t in
      let v = g.output(x.shape, grad: false)
      for i in 0..<x.count { v.data[i] = (x.data[i] - x0[i]) / max(t.data[i / 2], 1e-6) }
      return v
    }
    for i in 0..<4 { XCTAssertEqual(result[i], x0[i], accuracy: 1e-5) }
  }
}
