import Engine
import Foundation
import TestSupport
import XCTest

/// Fast kernels against naive loops written the obvious way in Double.
final class KernelTests: XCTestCase {
  func testLinearMatchesNaive() {
    let N = 13, In = 19, Out = 7, r = 3
    let x = seededUniform(N * In, seed: 1), w = seededUniform(Out * In, seed: 2), b = seededUniform(Out, seed: 3)
    let la = seededUniform(r * In, seed: 4), lb = seededUniform(Out * r, seed: 5)
    let g = Graph()
    let y = g.linear(g.constant(x, Shape(N, In)), g.constant(w, Shape(Out, In)), g.constant(b, Shape(Out)),
                     lora: LoRA(a: g.constant(la, Shape(r, In)), b: g.constant(lb, Shape(Out, r)), scale: 0.5))
    var expected = [Float](repeating: 0, count: N * Out)
    for n in 0..<N {
      var mid = [Double](repeating: 0, count: r)
      for k in 0..<r { for i in 0..<In { mid[k] += Double(x[n * In + i]) * Double(la[k * In + i]) } }
      for o in 0..<Out {
        var s = Double(b[o])
        for i in 0..<In { s += Double(x[n * In + i]) * Double(w[o * In + i]) }
        for k in 0..<r { s += 0.5 * mid[k] * Double(lb[o * r + k]) }
        expected[n * Out + o] = Float(s)
      }
    }
    XCTAssertLessThan(maxAbsDiff(y.toArray(), expected), 1e-4)

    // Switching LoRA off gives the plain layer.
    g.loraEnabled = false
    let y0 = g.linear(g.constant(x, Shape(N, In)), g.constant(w, Shape(Out, In)), g.constant(b, Shape(Out)),
                      lora: LoRA(a: g.constant(la, Shape(r, In)), b: g.constant(lb, Shape(Out, r)), scale: 0.5))
    var plain = [Float](repeating: 0, count: N * Out)
    for n in 0..<N {
      for o in 0..<Out {
        var s = Double(b[o])
        for i in 0..<In { s += Double(x[n * In + i]) * Double(w[o * In + i]) }
        plain[n * Out + o] = Float(s)
      }
    }
    XCTAssertLessThan(maxAbsDiff(y0.toArray(), plain), 1e-4)
  }

  func testAttentionMatchesNaive() {
    let B = 2, T = 6, H = 2, D = 4, C = H * D
    let qkv = seededUniform(B * T * 3 * C, seed: 9)
    let mask: [Float] = [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]
    let g = Graph()
    let out = g.attention(g.constant(qkv, Shape(B, T, 3 * C)), heads: H, keyMask: g.constant(mask, Shape(B, T)))
    var expected = [Float](repeating: 0, count: B * T * C)
    for b in 0..<B {
      for h in 0..<H {
        for i in 0..<T {
          var scores = [Double](repeating: -.infinity, count: T)
          for j in 0..<T where mask[b * T + j] != 0 {
            var s = 0.0
            for d in 0..<D {
              s += Double(qkv[(b * T + i) * 3 * C + h * D + d]) * Double(qkv[(b * T + j) * 3 * C + C + h * D + d])
            }
            scores[j] = s / Double(D).squareRoot()
          }
          let m = scores.max() ?? 0
          let e = scores.map { $0 == -.infinity ? 0 : Foundation.exp($0 - m) }
          let z = e.reduce(0, +)
          for d in 0..<D {
            var o = 0.0
            for j in 0..<T { o += e[j] / z * Double(qkv[(b * T + j) * 3 * C + 2 * C + h * D + d]) }
            expected[(b * T + i) * C + h * D + d] = Float(o)
          }
        }
      }
    }
    XCTAssertLessThan(maxAbsDiff(out.toArray(), expected), 1e-5)
  }

  func testLayerNormMatchesNaive() {
    let N = 5, C = 37
    let x = seededUniform(N * C, seed: 3, scale: 4).map { $0 + 10 }  // a large mean tests the two-pass variance
    let g = Graph()
    let y = g.layerNorm(g.constant(x, Shape(N, C)), eps: 1e-6).toArray()
    for n in 0..<N {
      let row = x[(n * C)..<((n + 1) * C)].map(Double.init)
      let m = row.reduce(0, +) / Double(C)
      let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(C)
      for c in 0..<C {
        XCTAssertEqual(Double(y[n * C + c]), (row[c] - m) / (v + 1e-6).squareRoot(), accuracy: 1e-4)
      }
    }
  }

  func testFastMathAgainstLibm() {
    var worstExp: Float = 0, worstTanh: Float = 0, worstSig: Float = 0
    var x: Float = -80
    while x < 80 {
      let e = FastMath.exp(x), ref = Foundation.exp(x)
      worstExp = max(worstExp, abs(e - ref) / ref)
      x += 0.0137
    }
    x = -12
    while x < 12 {
      worstTanh = max(worstTanh, abs(FastMath.tanh(x) - Foundation.tanh(x)))
      worstSig = max(worstSig, abs(FastMath.sigmoid(x) - 1 / (1 + Foundation.exp(-x))))
      x += 0.00731
    }
    XCTAssertLessThan(worstExp, 5e-7, "exp relative error")
    XCTAssertLessThan(worstTanh, 5e-7, "tanh absolute error")
    XCTAssertLessThan(worstSig, 5e-7, "sigmoid absolute error")
    XCTAssertEqual(FastMath.exp(0), 1)
    XCTAssertTrue(FastMath.exp(-200).isFinite)
  }

  func testVectorReductions() {
    for n in [0, 1, 7, 8, 31, 32, 33, 1000] {
      let a = seededUniform(n, seed: UInt64(n) + 1), b = seededUniform(n, seed: UInt64(n) + 2)
      let s = a.withUnsafeBufferPointer { $0.baseAddress.map { vectorSum($0, n) } ?? 0 }
      let d = a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          guard let x = pa.baseAddress, let y = pb.baseAddress else { return Float(0) }
          return vectorDot(x, y, n)
        }
      }
      XCTAssertEqual(Double(s), a.map(Double.init).reduce(0, +), accuracy: 1e-4)
      XCTAssertEqual(Double(d), zip(a, b).map { Double($0) * Double($1) }.reduce(0, +), accuracy: 1e-4)
    }
  }

  func testPatchifyRoundTripAndLayout() {
    // Channel 0, rows 0..<2, columns 2..<4 of a 4×4 image form token 1's first 4 features.
    let img = (0..<(2 * 4 * 4)).map(Float.init)
    let g = Graph()
    let tokens = g.patchify(g.constant(img, Shape(1, 2, 4, 4)), channels: 2, patch: 2)
    XCTAssertEqual(tokens.shape, Shape(1, 4, 8))
    XCTAssertEqual(Array(tokens.toArray()[8..<12]), [2, 3, 6, 7])
    XCTAssertEqual(Array(tokens.toArray()[12..<16]), [18, 19, 22, 23])  // channel 1 of the same patch
    let back = g.unpatchify(tokens, channels: 2, patch: 2, height: 4, width: 4)
    XCTAssertEqual(back.toArray(), img)
  }

  func testTimestepEmbeddingMatchesFormula() {
    let g = Graph()
    let e = g.timestepEmbedding(g.constant([0.25, 0.9], Shape(2)), dim: 8).toArray()
    for (b, t) in [Float(0.25), Float(0.9)].map(Double.init).enumerated() {
      for i in 0..<4 {
        let arg = 1000 * t * Foundation.exp(-Foundation.log(10_000.0) * Double(i) / 4)
        XCTAssertEqual(Double(e[b * 8 + i]), Foundation.cos(arg), accuracy: 1e-5)
        XCTAssertEqual(Double(e[b * 8 + 4 + i]), Foundation.sin(arg), accuracy: 1e-5)
      }
    }
  }

  func testGaussianLogProbMatchesClosedForm() {
    let g = Graph()
    let x: [Float] = [0.3, -1.2, 2.0, 0.0], mu: [Float] = [0.1, -1.0, 1.5, 0.2], s: Float = 0.7
    let lp = g.gaussianLogProb(sample: g.constant(x, Shape(1, 4)), mean: g.constant(mu, Shape(1, 4)),
                               std: g.constant([s], Shape(1)), reduce: .sum)
    var expected = 0.0
    for i in 0..<4 {
      let z = Double(x[i] - mu[i]) / Double(s)
      expected += -0.5 * z * z - Foundation.log(Double(s)) - 0.5 * Foundation.log(2 * Double.pi)
    }
    XCTAssertEqual(Double(lp[0]), expected, accuracy: 1e-5)
  }
}
