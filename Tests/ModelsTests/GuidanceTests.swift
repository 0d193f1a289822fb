import Engine
import Models
import TestSupport
import XCTest

/// Classifier-free guidance: one doubled batch must equal two separate forwards combined.
final class GuidanceTests: XCTestCase {
  let tokens: [Float] = [1, 5, 2, 0, 3, 0, 0, 0], mask: [Float] = [1, 1, 1, 0, 1, 0, 0, 0]
  let t: [Float] = [0.3, 0.8]

  func testGuidanceOneIsThePlainVelocity() {
    let gen = makeTinyGenerator()
    let x = seededNormal(2 * 3 * 16 * 16, seed: 11)
    let g = Graph()
    let plain = gen.velocity(g, x: g.constant(x, Shape(2, 3, 16, 16)), t: g.constant(t, Shape(2)),
                             tokens: g.constant(tokens, Shape(2, 4)), mask: g.constant(mask, Shape(2, 4))).toArray()
    let guided = gen.guidedVelocity(g, x: g.constant(x, Shape(2, 3, 16, 16)), t: g.constant(t, Shape(2)),
                                    tokens: g.constant(tokens, Shape(2, 4)), mask: g.constant(mask, Shape(2, 4)), guidance: 1).toArray()
    XCTAssertEqual(plain, guided)
  }

  /// v_u + w (v_c − v_u), with v_u from an explicit all-masked prompt, for w = 3.
  func testGuidedVelocityCombinesConditionalAndNullPrompt() {
    let gen = makeTinyGenerator()
    let x = seededNormal(2 * 3 * 16 * 16, seed: 12)
    func forward(_ tok: [Float], _ m: [Float]) -> [Float] {
      let g = Graph()
      return gen.velocity(g, x: g.constant(x, Shape(2, 3, 16, 16)), t: g.constant(t, Shape(2)),
                          tokens: g.constant(tok, Shape(2, 4)), mask: g.constant(m, Shape(2, 4))).toArray()
    }
    let conditional = forward(tokens, mask)
    let unconditional = forward([Float](repeating: 0, count: 8), [Float](repeating: 0, count: 8))
    XCTAssertGreaterThan(zip(conditional, unconditional).map { abs($0 - $1) }.max() ?? 0, 1e-4, "the prompt must matter")
    let g = Graph()
    let guided = gen.guidedVelocity(g, x: g.constant(x, Shape(2, 3, 16, 16)), t: g.constant(t, Shape(2)),
                                    tokens: g.constant(tokens, Shape(2, 4)), mask: g.constant(mask, Shape(2, 4)), guidance: 3)
    XCTAssertEqual(guided.shape, Shape(2, 3, 16, 16))
    let got = guided.toArray()
    for i in 0..<got.count {
      let expected: Float = unconditional[i] + 3 * (conditional[i] - unconditional[i])
      XCTAssertEqual(got[i], expected, accuracy: 1e-4, "element \(i)")
    }
  }

  /// The doubled batch and the two slices carry gradients back to x.
  func testGuidedVelocityGradientMatchesFiniteDifferences() {
    let gen = makeTinyGenerator()
    let r = gradCheck(inputs: [(seededNormal(2 * 3 * 16 * 16, seed: 13), Shape(2, 3, 16, 16))], eps: 1e-2) { g, x in
      gen.guidedVelocity(g, x: x[0], t: g.constant(self.t, Shape(2)), tokens: g.constant(self.tokens, Shape(2, 4)),
                         mask: g.constant(self.mask, Shape(2, 4)), guidance: 2.5)
    }
    XCTAssertLessThan(r.worst, 2e-2, "guided input gradient: \(r)")
  }
}
