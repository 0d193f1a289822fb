import Engine
import TestSupport
import XCTest

/// Every fused op's backward against central finite differences, over a few small shapes.
/// The tolerance (2e-2 relative, on the whole gradient vector) passes float32 differences
/// with eps 1e-2 and fails any backward that is off by a term, a factor or a transpose.
final class GradCheckTests: XCTestCase {
  let tolerance = 2e-2

  func check(_ name: String, _ inputs: [(values: [Float], shape: Shape)], eps: Float = 1e-2,
             file: StaticString = #filePath, line: UInt = #line, _ build: (Graph, [Tensor]) -> Tensor) {
    let r = gradCheck(inputs: inputs, eps: eps, build: build)
    XCTAssertLessThan(r.worst, tolerance, "\(name): relative errors \(r)", file: file, line: line)
  }

  func input(_ shape: Shape, seed: UInt64, scale: Float = 1) -> (values: [Float], shape: Shape) {
    (seededUniform(shape.count, seed: seed, scale: scale), shape)
  }

  func testLinear() {
    for (n, i, o) in [(1, 3, 2), (5, 4, 3), (7, 8, 6)] {
      check("linear \(n)x\(i)->\(o)", [input(Shape(n, i), seed: 1), input(Shape(o, i), seed: 2), input(Shape(o), seed: 3)]) { g, t in
        g.linear(t[0], t[1], t[2])
      }
    }
    check("linear 3-d input", [input(Shape(2, 3, 4), seed: 4), input(Shape(5, 4), seed: 5)]) { g, t in
      g.linear(t[0], t[1], nil)
    }
  }

  func testLinearWithLoRA() {
    let inputs = [input(Shape(6, 5), seed: 1), input(Shape(4, 5), seed: 2), input(Shape(4), seed: 3),
                  input(Shape(2, 5), seed: 4), input(Shape(4, 2), seed: 5)]
    check("linear+LoRA", inputs) { g, t in
      g.linear(t[0], t[1], t[2], lora: LoRA(a: t[3], b: t[4], scale: 1.5))
    }
  }

  func testLayerNorm() {
    for (n, c) in [(1, 4), (3, 7), (4, 16)] {
      check("layerNorm \(n)x\(c)", [input(Shape(n, c), seed: 11)]) { g, t in g.layerNorm(t[0]) }
      check("layerNorm affine \(n)x\(c)",
            [input(Shape(n, c), seed: 12), input(Shape(c), seed: 13), input(Shape(c), seed: 14)]) { g, t in
        g.layerNorm(t[0], gamma: t[1], beta: t[2])
      }
    }
  }

  func testModulateAndGatedResidual() {
    for (b, t, c) in [(1, 1, 3), (2, 3, 4), (3, 2, 9)] {
      check("modulate \(b)x\(t)x\(c)",
            [input(Shape(b, t, c), seed: 21), input(Shape(b, c), seed: 22), input(Shape(b, c), seed: 23)]) { g, x in
        g.modulate(x[0], shift: x[1], scale: x[2])
      }
      check("gatedResidual \(b)x\(t)x\(c)",
            [input(Shape(b, t, c), seed: 24), input(Shape(b, c), seed: 25), input(Shape(b, t, c), seed: 26)]) { g, x in
        g.gatedResidual(x[0], gate: x[1], x[2])
      }
    }
  }

  func testAttention() {
    for (b, t, c, h) in [(1, 1, 4, 1), (2, 3, 4, 2), (2, 5, 12, 3)] {
      check("attention B\(b) T\(t) C\(c) H\(h)", [input(Shape(b, t, 3 * c), seed: 31)]) { g, x in
        g.attention(x[0], heads: h)
      }
    }
  }

  func testAttentionWithKeyMask() {
    // Sample 0 keeps 3 of 5 keys, sample 1 all of them.
    let mask: [Float] = [1, 1, 0, 1, 0, 1, 1, 1, 1, 1]
    check("masked attention", [input(Shape(2, 5, 12), seed: 32)]) { g, x in
      g.attention(x[0], heads: 2, keyMask: g.constant(mask, Shape(2, 5)))
    }
  }

  func testActivations() {
    check("gelu", [input(Shape(3, 11), seed: 41, scale: 3)]) { g, x in g.gelu(x[0]) }
    check("silu", [input(Shape(3, 11), seed: 42, scale: 3)]) { g, x in g.silu(x[0]) }
    check("logSigmoid", [input(Shape(13), seed: 43, scale: 4)]) { g, x in g.logSigmoid(x[0]) }
    check("exp", [input(Shape(9), seed: 44)]) { g, x in g.exp(x[0]) }
  }

  func testLosses() {
    let targets: [Float] = [2, 0, 1, 2]
    check("crossEntropy", [input(Shape(4, 3), seed: 51, scale: 2)]) { g, x in
      g.crossEntropy(x[0], targets: g.constant(targets, Shape(4)))
    }
    let dist: [Float] = [0.2, 0.5, 0.3, 0, 1, 0, 0.6, 0.1, 0.3, 0.25, 0.25, 0.5]
    check("softCrossEntropy", [input(Shape(4, 3), seed: 57, scale: 2)]) { g, x in
      g.softCrossEntropy(x[0], targets: g.constant(dist, Shape(4, 3)))
    }
    let soft: [Float] = [0, 1, 0.3, 0.8, 1]
    check("binaryCrossEntropy", [input(Shape(5), seed: 52, scale: 3)]) { g, x in
      g.binaryCrossEntropy(x[0], targets: g.constant(soft, Shape(5)))
    }
    check("mse", [input(Shape(2, 5), seed: 53), input(Shape(2, 5), seed: 54)]) { g, x in g.mse(x[0], x[1]) }
    // Hinge: keep every input at least 0.1 away from the kink at sign·x = 1.
    let away = seededUniform(8, seed: 55, scale: 2).map { abs(1 - $0) < 0.1 ? $0 + 0.3 : $0 }
    let awayNeg = seededUniform(8, seed: 56, scale: 2).map { abs(1 + $0) < 0.1 ? $0 + 0.3 : $0 }
    check("hinge +", [(away, Shape(8))]) { g, x in g.hinge(x[0], sign: 1) }
    check("hinge −", [(awayNeg, Shape(8))]) { g, x in g.hinge(x[0], sign: -1) }
  }

  func testPatchify() {
    check("patchify", [input(Shape(2, 3, 4, 6), seed: 61)]) { g, x in g.patchify(x[0], channels: 3, patch: 2) }
    check("unpatchify", [input(Shape(2, 6, 12), seed: 62)]) { g, x in
      g.unpatchify(x[0], channels: 3, patch: 2, height: 4, width: 6)
    }
  }

  func testEmbedding() {
    let ids: [Float] = [3, 0, 3, 1]
    check("embedding", [input(Shape(4, 5), seed: 71)]) { g, x in
      g.embedding(g.constant(ids, Shape(2, 2)), table: x[0])
    }
  }

  func testConcatAndSlice() {
    check("concatTokens", [input(Shape(2, 3, 4), seed: 81), input(Shape(2, 2, 4), seed: 82)]) { g, x in
      g.concatTokens(x[0], x[1])
    }
    check("sliceTokens", [input(Shape(2, 5, 3), seed: 83)]) { g, x in g.sliceTokens(x[0], start: 1, count: 3) }
    check("sliceColumns", [input(Shape(4, 9), seed: 84)]) { g, x in g.sliceColumns(x[0], rows: 4, start: 3, count: 3) }
  }

  func testPooling() {
    check("meanPool", [input(Shape(2, 4, 3), seed: 91)]) { g, x in g.meanPool(x[0]) }
    let mask: [Float] = [1, 1, 0, 0, 1, 0, 1, 1]
    check("meanPool masked", [input(Shape(2, 4, 3), seed: 92)]) { g, x in
      g.meanPool(x[0], mask: g.constant(mask, Shape(2, 4)))
    }
    check("l2Normalize", [input(Shape(3, 5), seed: 93)]) { g, x in g.l2Normalize(x[0]) }
  }

  func testGaussianLogProb() {
    let sample = seededNormal(12, seed: 101)
    let std: [Float] = [0.5, 1.3]
    for reduce in [PixelReduction.mean, .sum] {
      check("gaussianLogProb \(reduce)", [input(Shape(2, 6), seed: 102)]) { g, x in
        g.gaussianLogProb(sample: g.constant(sample, Shape(2, 6)), mean: x[0], std: g.constant(std, Shape(2)), reduce: reduce)
      }
    }
  }

  func testElementwise() {
    check("add", [input(Shape(2, 3), seed: 111), input(Shape(2, 3), seed: 112)]) { g, x in g.add(x[0], x[1]) }
    check("add tiled", [input(Shape(4, 3, 2), seed: 113), input(Shape(3, 2), seed: 114)]) { g, x in g.add(x[0], x[1]) }
    check("sub", [input(Shape(5), seed: 115), input(Shape(5), seed: 116)]) { g, x in g.sub(x[0], x[1]) }
    check("mul", [input(Shape(2, 3), seed: 117), input(Shape(2, 3), seed: 118)]) { g, x in g.mul(x[0], x[1]) }
    check("mul tiled", [input(Shape(3, 4), seed: 119), input(Shape(4), seed: 120)]) { g, x in g.mul(x[0], x[1]) }
    check("scaleRows", [input(Shape(3, 4), seed: 121), input(Shape(3), seed: 122)]) { g, x in g.scaleRows(x[0], x[1]) }
    check("scale", [input(Shape(6), seed: 123)]) { g, x in g.scale(x[0], -2.5, offset: 1) }
    check("sum", [input(Shape(7), seed: 124)]) { g, x in g.sum(x[0]) }
    check("mean", [input(Shape(7), seed: 125)]) { g, x in g.mean(x[0]) }
    // Kinked ops: inputs kept away from the kinks.
    let spread: [Float] = [-1.7, -0.8, -0.3, 0.35, 0.6, 1.4]
    check("clamp", [(spread, Shape(6))]) { g, x in g.clamp(x[0], -0.5, 0.5) }
    let other: [Float] = [-1.0, -1.2, 0.2, 0.1, 0.9, 1.0]
    check("maximum", [(spread, Shape(6)), (other, Shape(6))]) { g, x in g.maximum(x[0], x[1]) }
  }

  /// A DiT-shaped composition: the ops must also be right when they feed each other.
  func testComposedBlock() {
    let B = 2, T = 3, C = 8, H = 2
    let inputs = [input(Shape(B, T, C), seed: 131), input(Shape(B, C), seed: 132),
                  input(Shape(3 * C, C), seed: 133, scale: 0.5), input(Shape(6 * C, C), seed: 134, scale: 0.3)]
    check("adaLN block", inputs) { g, x in
      let ada = g.linear(g.silu(x[1]), x[3], nil)  // (B, 6C)
      let shift = g.sliceColumns(ada, rows: B, start: 0, count: C)
      let scale = g.sliceColumns(ada, rows: B, start: C, count: C)
      let gate = g.sliceColumns(ada, rows: B, start: 2 * C, count: C)
      let h = g.modulate(g.layerNorm(x[0]), shift: shift, scale: scale)
      let a = g.attention(g.linear(h, x[2], nil), heads: H)
      return g.gatedResidual(x[0], gate: gate, g.gelu(a))
    }
  }
}
