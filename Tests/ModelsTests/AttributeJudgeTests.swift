import Engine
import Foundation
import Models
import TestSupport
import XCTest

final class AttributeJudgeTests: XCTestCase {
  /// A 16 px judge with three small heads, allocated.
  func makeJudge(seed: UInt64 = 1) -> AttributeJudge {
    let cfg = AttributeJudgeConfig(
      trunk: ViTConfig(imageSize: 16, patch: 4, width: 16, depth: 1, heads: 2, mlpRatio: 2),
      heads: [AttributeHeadSpec(name: "a", classes: 3), AttributeHeadSpec(name: "b", classes: 2), AttributeHeadSpec(name: "c", classes: 4)])
    let store = ParameterStore()
    let judge = AttributeJudge(cfg, store: store)
    store.allocate(seed: seed)
    return judge
  }

  func testConfigOffsetsAndLogitShape() {
    let judge = makeJudge()
    XCTAssertEqual(judge.config.totalClasses, 9)
    XCTAssertEqual((0..<3).map(judge.config.offset(of:)), [0, 3, 5])
    XCTAssertEqual(judge.config.head(named: "c"), 2)
    XCTAssertNil(judge.config.head(named: "z"))
    let g = Graph()
    let z = judge.logits(g, images: g.constant(seededNormal(2 * 3 * 16 * 16, seed: 2), Shape(2, 3, 16, 16)))
    XCTAssertEqual(z.shape, Shape(2, 9))
    XCTAssertNotNil(judge.store.param(named: "trunk.blocks.0.attn.qkv.weight"))
    XCTAssertNotNil(judge.store.param(named: "head.weight"))
  }

  /// CLS-and-mean pooling doubles the head's input, gets gradient through both halves, and a
  /// config written before `pooling` existed reads as CLS pooling.
  func testClsMeanPooling() throws {
    let cfg = AttributeJudgeConfig(
      trunk: ViTConfig(imageSize: 16, patch: 4, width: 16, depth: 1, heads: 2, mlpRatio: 2),
      heads: [AttributeHeadSpec(name: "a", classes: 3), AttributeHeadSpec(name: "b", classes: 2)], pooling: .clsMean)
    XCTAssertEqual(cfg.featureWidth, 32)
    let store = ParameterStore()
    let judge = AttributeJudge(cfg, store: store)
    store.allocate(seed: 1)
    guard let w = store.param(named: "head.weight") else { return XCTFail("no head.weight") }
    XCTAssertEqual(store[w].shape, Shape(5, 32))
    let g = Graph()
    let z = judge.logits(g, images: g.constant(seededNormal(2 * 3 * 16 * 16, seed: 2), Shape(2, 3, 16, 16)))
    XCTAssertEqual(z.shape, Shape(2, 5))
    store.zeroGrads()
    g.backward(from: judge.loss(g, logits: z, targets: [0, 1, 2, 0]))
    let grad = store[w].gradArray()
    XCTAssertGreaterThan(grad[0..<16].map(abs).max() ?? 0, 0, "the CLS half learns")
    XCTAssertGreaterThan(grad[16..<32].map(abs).max() ?? 0, 0, "the mean half learns")
    var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(cfg)) as? [String: Any] ?? [:]
    old["pooling"] = nil
    let decoded = try JSONDecoder().decode(AttributeJudgeConfig.self, from: JSONSerialization.data(withJSONObject: old))
    XCTAssertEqual(decoded.pooling, .cls)
    XCTAssertEqual(decoded.trunk, cfg.trunk)
  }

  /// Each head's probabilities are its own softmax and sum to 1; argmax is the largest.
  func testJudgementsAreSoftmaxPerHead() {
    let judge = makeJudge()
    let logits: [Float] = [0, 1, 2, 5, 5, -1, 0, 1, 0]  // one image
    let j = judge.judgements(logits: logits)
    XCTAssertEqual(j.count, 1)
    XCTAssertEqual(j[0].probabilities.map(\.count), [3, 2, 4])
    for p in j[0].probabilities { XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-6) }
    XCTAssertEqual(j[0].probability(1, 0), 0.5, accuracy: 1e-6)
    XCTAssertEqual(j[0].argmax(0), 2)
    XCTAssertEqual(j[0].argmax(2), 2)
    let e = [Float](arrayLiteral: 1, Foundation.exp(1), Foundation.exp(2))
    XCTAssertEqual(j[0].probability(0, 2), e[2] / e.reduce(0, +), accuracy: 1e-6)
  }

  /// predict (batched, not recording) agrees with a recorded forward pass.
  func testPredictMatchesLogits() {
    let judge = makeJudge()
    let x = seededNormal(5 * 3 * 16 * 16, seed: 4)
    let g = Graph()
    let direct = judge.judgements(logits: judge.logits(g, images: g.constant(x, Shape(5, 3, 16, 16))).toArray())
    let batched = judge.predict(images: x, batchSize: 2)
    XCTAssertEqual(batched.count, 5)
    for (a, b) in zip(direct, batched) {
      for (p, q) in zip(a.probabilities.joined(), b.probabilities.joined()) { XCTAssertEqual(p, q, accuracy: 1e-5) }
    }
  }

  /// The loss is the sum of per-head cross-entropies; an unlabelled (−1) head adds nothing.
  func testLossSumsHeadsAndSkipsUnlabelled() {
    let judge = makeJudge()
    let g = Graph()
    let logits = g.leaf([0, 1, 2, 5, 5, -1, 0, 1, 0], Shape(1, 9))
    let full = judge.loss(g, logits: logits, targets: [2, 0, 3])
    func ce(_ z: [Float], _ k: Int) -> Float {
      let m = z.max() ?? 0
      return -(z[k] - m - Foundation.log(z.map { Foundation.exp($0 - m) }.reduce(0, +)))
    }
    let expected = ce([0, 1, 2], 2) + ce([5, 5], 0) + ce([-1, 0, 1, 0], 3)
    XCTAssertEqual(full[0], expected, accuracy: 1e-5)
    g.reset()
    let weighted = judge.loss(g, logits: g.leaf([0, 1, 2, 5, 5, -1, 0, 1, 0], Shape(1, 9)), targets: [2, 0, 3], weights: [1, 0, 2])
    XCTAssertEqual(weighted[0], ce([0, 1, 2], 2) + 2 * ce([-1, 0, 1, 0], 3), accuracy: 1e-5)
    g.reset()
    let skip = judge.loss(g, logits: g.leaf([0, 1, 2, 5, 5, -1, 0, 1, 0], Shape(1, 9)), targets: [2, -1, -1])
    XCTAssertEqual(skip[0], ce([0, 1, 2], 2), accuracy: 1e-5)
    g.reset()
    let z = g.leaf([0, 1, 2, 5, 5, -1, 0, 1, 0], Shape(1, 9))
    let none = judge.loss(g, logits: z, targets: [-1, -1, -1])
    g.backward(from: none)
    XCTAssertEqual(none[0], 0)
    XCTAssertEqual(z.gradArray().map(abs).max(), 0, "an unlabelled head must get no gradient")
  }

  func testQualityRegressorOutputsSeveritiesAndQuality() {
    let store = ParameterStore()
    let model = QualityRegressor(QualityRegressorConfig(trunk: ViTConfig(imageSize: 16, patch: 4, width: 16, depth: 1, heads: 2, mlpRatio: 2)),
                                 store: store)
    store.allocate(seed: 2)
    let x = seededNormal(3 * 3 * 16 * 16, seed: 5)
    let sev = model.severities(images: x, batchSize: 2)
    XCTAssertEqual(sev.count, 3)
    XCTAssertTrue(sev.allSatisfy { $0.count == 4 && $0.allSatisfy { $0 > 0 && $0 < 1 } })
    let q = model.quality(images: x)
    for (s, v) in zip(sev, q) { XCTAssertEqual(v, 1 - s.reduce(0, +) / 4, accuracy: 1e-6) }
    XCTAssertEqual(QualityRegressor.quality(severities: [0, 0, 0, 0]), 1)
    XCTAssertEqual(QualityRegressor.quality(severities: [1, 0.5, 0, 0.5]), 0.5)
    let g = Graph()
    let loss = model.loss(g, logits: g.leaf([0, 0, 0, 0], Shape(1, 4)), severities: [0, 0.5, 1, 0.25])
    XCTAssertEqual(loss[0], Foundation.log(2), accuracy: 1e-5, "BCE at logit 0 is log 2 for any target")
  }

  /// Edges are zero (−0.5 after the offset) on flat colour and the mask lights up only where
  /// the colour differs from the border's.
  func testImageFeaturesShowEdgesAndObjects() {
    let S = 8, P = S * S
    var image = [Float](repeating: -0.4, count: 3 * P)  // (3, S, S) grey
    for c in 0..<3 { for y in 3..<5 { for x in 3..<5 { image[c * P + y * S + x] = c == 0 ? 0.9 : -0.9 } } }  // red 2×2 square
    let f = image.withUnsafeBufferPointer { buf in buf.baseAddress.map { ImageFeatures.edgesAndMask($0, batch: 1, size: S) } ?? [] }
    XCTAssertEqual(f.count, 6 * P)
    XCTAssertEqual(Array(f[0..<(3 * P)]), image, "channels 0–2 are the image")
    XCTAssertEqual(f[3 * P + 0], -0.5, "no horizontal edge in a flat corner")
    XCTAssertEqual(f[5 * P + 0], -0.5, "the border is background")
    XCTAssertGreaterThan(f[5 * P + 3 * S + 3], 0.9, "the square is far from the background colour")
    XCTAssertGreaterThan(f[3 * P + 3 * S + 2], 0, "a horizontal edge beside the square")
    XCTAssertGreaterThan(f[4 * P + 2 * S + 3], 0, "a vertical edge above the square")
    XCTAssertEqual(f[4 * P + 3 * S + 2], -0.5, "no vertical change beside the square's middle rows")
  }

  /// The in-arena features (what the models read) equal a naive per-pixel reference on random
  /// images, pass after pass of one graph; the array version agrees.
  func testFeatureTensorMatchesANaiveReference() {
    let B = 3, S = 16, P = S * S
    var rng = RNG(seed: 5)
    let images = (0..<(B * 3 * P)).map { _ in rng.uniform(-1, 1) }
    // Naive: sorted border median per channel, clamped central differences, distance to it.
    var expected = [Float](), median = [Float]()
    for b in 0..<B {
      func px(_ c: Int, _ y: Int, _ x: Int) -> Float { images[((b * 3 + c) * S + y) * S + x] }
      let bg = (0..<3).map { c -> Float in
        var border: [Float] = []
        for y in 0..<S { for x in 0..<S where y == 0 || y == S - 1 || x == 0 || x == S - 1 { border.append(px(c, y, x)) } }
        return border.sorted()[border.count / 2]
      }
      median.append(bg[0])
      var gx = [Float](), gy = [Float](), mask = [Float]()
      for y in 0..<S {
        for x in 0..<S {
          gx.append((0..<3).map { abs(px($0, y, min(x + 1, S - 1)) - px($0, y, max(x - 1, 0))) }.max()! - 0.5)
          gy.append((0..<3).map { abs(px($0, min(y + 1, S - 1), x) - px($0, max(y - 1, 0), x)) }.max()! - 0.5)
          mask.append((0..<3).map { (px($0, y, x) - bg[$0]) * (px($0, y, x) - bg[$0]) }.reduce(0, +).squareRoot() - 0.5)
        }
      }
      expected += Array(images[(b * 3 * P)..<((b + 1) * 3 * P)]) + gx + gy + mask
    }
    let g = Graph()
    g.recording = false
    for _ in 0..<2 {
      g.reset()
      let f = ImageFeatures.tensor(g, images: g.constant(images, Shape(B, 3, S, S)))
      XCTAssertEqual(f.shape, Shape(B, ImageFeatures.channels, S, S))
      XCTAssertLessThan(maxAbsDiff(f.toArray(), expected), 1e-6)
    }
    let array = images.withUnsafeBufferPointer { ImageFeatures.edgesAndMask($0.baseAddress!, batch: B, size: S) }
    XCTAssertLessThan(maxAbsDiff(array, expected), 1e-6)
    XCTAssertEqual(images.withUnsafeBufferPointer { ImageFeatures.borderMedian($0.baseAddress!, size: S) }, median[0])
  }

  /// Sin-cos positions fill every patch row and leave the CLS row alone; nearby cells are
  /// more alike than distant ones.
  func testSinCosPositions() {
    let store = ParameterStore()
    let judge = AttributeJudge(AttributeJudgeConfig(trunk: ViTConfig(imageSize: 16, patch: 4, width: 16, depth: 1, heads: 2, mlpRatio: 2),
                                                    heads: [AttributeHeadSpec(name: "a", classes: 2)]), store: store)
    store.allocate(seed: 1)
    guard let p = store.param(named: "trunk.pos_embed") else { return XCTFail("no pos_embed") }
    let before = store[p].toArray()
    judge.initialisePositions()
    let after = store[p].toArray()
    XCTAssertEqual(Array(after[0..<16]), Array(before[0..<16]), "the CLS row is untouched")
    func row(_ t: Int) -> [Float] { Array(after[((1 + t) * 16)..<((2 + t) * 16)]) }
    func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
    XCTAssertEqual(row(0)[0], 0)  // sin(0)
    XCTAssertEqual(row(0)[4], 1)  // cos(0)
    XCTAssertGreaterThan(dot(row(5), row(6)), dot(row(5), row(15)))
  }
}
