import Engine
import Foundation
import Models
import TestSupport
import XCTest

final class DINOHeadTests: XCTestCase {
  let tinyViT = ViTConfig(imageSize: 16, patch: 4, width: 32, depth: 2, heads: 2)
  let tinyHead = DINOHeadConfig(hidden: 24, bottleneck: 8, prototypes: 16, layers: 3)

  func testShapesNamesAndUnitCosines() {
    let store = ParameterStore()
    let net = DINONetwork(backbone: tinyViT, head: tinyHead, store: store)
    store.allocate(seed: 1)
    XCTAssertNotNil(store.param(named: "head.mlp.0.weight"))
    XCTAssertEqual(store.entries.first { $0.name == "head.mlp.4.weight" }?.shape, Shape(8, 24))
    XCTAssertEqual(store.entries.first { $0.name == "head.last_layer.weight" }?.shape, Shape(16, 8))
    XCTAssertEqual(store.entries.first { $0.name == "patch_embed.proj.weight" }?.shape, Shape(32, 48))
    XCTAssertTrue(DINONetwork.isBackbone("blocks.1.attn.qkv.weight"))
    XCTAssertFalse(DINONetwork.isBackbone("head.mlp.0.weight"))
    let g = Graph()
    g.recording = false
    let s = net.scores(g, images: g.constant(seededUniform(3 * 3 * 16 * 16, seed: 2), Shape(3, 3, 16, 16)))
    XCTAssertEqual(s.shape, Shape(3, 16))
    // Unit bottleneck against unit prototypes: every score is a cosine.
    XCTAssertLessThanOrEqual(s.toArray().map(abs).max() ?? 2, 1.0001)
    let z = net.head.embed(g, g.constant(seededNormal(2 * 32, seed: 3), Shape(2, 32))).toArray()
    for r in 0..<2 {
      let norm = (0..<8).reduce(Float(0)) { $0 + z[r * 8 + $1] * z[r * 8 + $1] }.squareRoot()
      XCTAssertEqual(norm, 1, accuracy: 1e-5)
    }
  }

  /// The head's input gradient (MLP, GELU, L2-normalise, weight-normalised prototypes)
  /// against finite differences.
  func testHeadGradientMatchesFiniteDifferences() {
    let store = ParameterStore()
    let head = DINOHead(DINOHeadConfig(hidden: 12, bottleneck: 6, prototypes: 10, layers: 3), inputDim: 8, store: store)
    store.allocate(seed: 4)
    let r = gradCheck(inputs: [(seededNormal(3 * 8, seed: 5), Shape(3, 8))], eps: 1e-2) { g, x in head(g, x[0]) }
    XCTAssertLessThan(r.worst, 2e-2, "DINO head input gradient: \(r)")
  }

  /// The whole loss path (student temperature, summed targets, pair scaling) against finite
  /// differences of the student scores.
  func testLossGradientMatchesFiniteDifferences() {
    let B = 2, K = 5, G = 2, V = 3
    var centre = DINOCentre(prototypes: K, momentum: 0.9)
    centre.update(with: seededUniform(4 * K, seed: 6))
    let probs = centre.sharpen(seededUniform(G * B * K, seed: 7), temperature: 0.3)
    let targets = DINO.targets(teacherProbs: probs, globalViews: G, views: V, batch: B)
    let r = gradCheck(inputs: [(seededUniform(V * B * K, seed: 8), Shape(V * B, K))], eps: 1e-2) { g, x in
      DINO.loss(g, studentScores: x[0], targets: g.constant(targets, Shape(V * B, K)), studentTemperature: 0.5,
                batch: B, pairs: DINO.pairCount(globalViews: G, views: V))
    }
    XCTAssertLessThan(r.worst, 1e-2, "DINO loss gradient: \(r)")
  }

  /// Centring, sharpening and the loss value against a hand computation.
  func testCentringSharpeningAndLossByHand() {
    var centre = DINOCentre(prototypes: 2, momentum: 0.9)
    // c = 0.9·0 + 0.1·mean([[1, 0], [3, 2]]) = [0.2, 0.1]
    centre.update(with: [1, 0, 3, 2])
    XCTAssertEqual(centre.centre[0], 0.2, accuracy: 1e-6)
    XCTAssertEqual(centre.centre[1], 0.1, accuracy: 1e-6)
    // Row [0.5, 0.4] centred → [0.3, 0.3]: uniform. Row [1, 0] centred → [0.8, −0.1] / 0.1
    // → softmax([8, −1]) = [1/(1+e^−9), e^−9/(1+e^−9)].
    let p = centre.sharpen([0.5, 0.4, 1, 0], temperature: 0.1)
    XCTAssertEqual(p[0], 0.5, accuracy: 1e-6)
    XCTAssertEqual(p[1], 0.5, accuracy: 1e-6)
    XCTAssertEqual(Double(p[2]), 1 / (1 + exp(-9.0)), accuracy: 1e-6)
    XCTAssertEqual(Double(p[3]), exp(-9.0) / (1 + exp(-9.0)), accuracy: 1e-6)

    // Targets: G = 2 globals, V = 3 views, B = 1. View 0 ← teacher 1, view 1 ← teacher 0,
    // view 2 (local) ← teacher 0 + teacher 1.
    let t = DINO.targets(teacherProbs: [0.25, 0.75, 0.5, 0.5], globalViews: 2, views: 3, batch: 1)
    XCTAssertEqual(t, [0.5, 0.5, 0.25, 0.75, 0.75, 1.25])
    // Loss: student scores 0 everywhere → log softmax = −log 2 for every entry; each pair
    // costs log 2, and the mean over the 4 pairs is log 2.
    let g = Graph()
    let l = DINO.loss(g, studentScores: g.leaf([Float](repeating: 0, count: 6), Shape(3, 2)), targets: g.constant(t, Shape(3, 2)),
                      studentTemperature: 0.1, batch: 1, pairs: DINO.pairCount(globalViews: 2, views: 3))
    XCTAssertEqual(DINO.pairCount(globalViews: 2, views: 3), 4)
    XCTAssertEqual(Double(l[0]), log(2.0), accuracy: 1e-5)
    // Entropy monitors: a uniform row has log K, a one-hot row 0.
    XCTAssertEqual(DINO.meanEntropy([0.5, 0.5, 1, 0], prototypes: 2), Float(log(2.0)) / 2, accuracy: 1e-6)
    XCTAssertEqual(DINO.marginalEntropy([1, 0, 0, 1], prototypes: 2), Float(log(2.0)), accuracy: 1e-6)
  }

  /// A masked patch's pixels reach no output: two images that differ only inside one patch
  /// give identical tokens when that patch is masked, and different ones when it is not; the
  /// mask token's gradient matches finite differences.
  func testMaskedPatchesHideTheirPixels() {
    let store = ParameterStore()
    let net = DINONetwork(backbone: tinyViT, head: tinyHead, store: store, maskToken: true)
    store.allocate(seed: 9)
    XCTAssertFalse(DINONetwork.isBackbone("mim.mask_token"))
    let S = 16, P = 16, C = 32, patch = 5  // patch 5 = row 1, column 1: pixels (4..<8, 4..<8)
    let a = seededUniform(3 * S * S, seed: 10)
    var b = a
    for c in 0..<3 { for y in 4..<8 { for x in 4..<8 { b[c * S * S + y * S + x] += 0.5 } } }
    func tokens(_ image: [Float], masked: Bool) -> [Float] {
      let g = Graph()
      g.recording = false
      let keep = g.constant(Shape(1, P, C)) { masked && $0 / C == patch ? 0 : 1 }
      let (cls, patches) = net.tokenScores(g, images: g.constant(image, Shape(1, 3, S, S)), keep: keep)
      return cls.toArray() + patches.toArray()
    }
    XCTAssertEqual(tokens(a, masked: true), tokens(b, masked: true))
    XCTAssertNotEqual(tokens(a, masked: false), tokens(b, masked: false))
    let r = gradCheck(inputs: [(seededNormal(C, seed: 11, std: 0.5), Shape(1, C))], eps: 1e-2) { g, x in
      let keep = g.constant(Shape(1, P, C)) { ($0 / C) % 3 == 0 ? 0 : 1 }
      return net.backbone.tokens(g, images: g.constant(a, Shape(1, 3, S, S)), masked: (keep, x[0]))
    }
    XCTAssertLessThan(r.worst, 2e-2, "mask token gradient: \(r)")
  }

  /// A six-channel ViT given RGB adds the judges' edge and mask channels itself: its tokens
  /// equal those of the same ViT given the six channels explicitly.
  func testSixChannelViTReadsRGB() {
    var config = tinyViT
    config.channels = ImageFeatures.channels
    let store = ParameterStore()
    let vit = ViT(config, store: store)
    store.allocate(seed: 14)
    XCTAssertEqual(store.entries.first { $0.name == "patch_embed.proj.weight" }?.shape, Shape(32, 96))
    let rgb = seededUniform(2 * 3 * 16 * 16, seed: 15)
    let g = Graph()
    g.recording = false
    let fromRGB = vit.tokens(g, images: g.constant(rgb, Shape(2, 3, 16, 16))).toArray()
    let features = rgb.withUnsafeBufferPointer { ImageFeatures.edgesAndMask($0.baseAddress!, batch: 2, size: 16) }
    let fromFeatures = vit.tokens(g, images: g.constant(features, Shape(2, 6, 16, 16))).toArray()
    XCTAssertEqual(fromRGB, fromFeatures)
  }

  func testTeacherEMAUpdateAndMomentumSchedule() {
    let a = ParameterStore(), b = ParameterStore()
    _ = DINOHead(tinyHead, inputDim: 4, store: a)
    _ = DINOHead(tinyHead, inputDim: 4, store: b)
    a.allocate(seed: 1)
    b.allocate(seed: 2)
    let teacher0 = a.snapshot(), student = b.snapshot()
    DINO.updateTeacher(a, from: b, momentum: 0.75)
    let teacher1 = a.snapshot()
    for i in stride(from: 0, to: teacher0.count, by: 97) {
      XCTAssertEqual(teacher1[i], 0.75 * teacher0[i] + 0.25 * student[i], accuracy: 1e-6)
    }
    XCTAssertEqual(b.snapshot(), student, "the student is read, never written")
    DINO.updateTeacher(a, from: b, momentum: 1)
    XCTAssertEqual(a.snapshot(), teacher1, "momentum 1 freezes the teacher")
    XCTAssertEqual(DINO.momentum(step: 0, total: 101, base: 0.996), 0.996, accuracy: 1e-7)
    XCTAssertEqual(DINO.momentum(step: 50, total: 101, base: 0.996), 0.998, accuracy: 1e-6)
    XCTAssertEqual(DINO.momentum(step: 100, total: 101, base: 0.996), 1, accuracy: 1e-7)
  }
}
