import Engine
import Foundation
import Models
import TestSupport
import Trainer
import World
import XCTest

final class PreferencePretrainingTests: XCTestCase {
  /// The objects of the spec that changed between two prompts (nil if none or several did).
  func changedSpec(_ a: Prompt, _ b: Prompt) -> Int? {
    let diff = a.objects.indices.filter { a.objects[$0] != b.objects[$0] }
    return diff.count == 1 ? diff[0] : nil
  }

  /// Every negative differs from the prompt in exactly the stated attribute, both in the
  /// loser's prompt and in what the renderer drew; the winner is drawn as its prompt says.
  func testNegativesDifferInTheStatedAttribute() throws {
    let prompts = PromptSampler(seed: 5, distribution: PromptDistribution(secondObject: 0.5, position: 0.5, background: 0.4))
      .training(count: 24)
    var seen = Set<NegativeKind>()
    for (i, prompt) in prompts.enumerated() {
      for kind in NegativeKind.allCases {
        guard let pair = PreferencePairs.make(prompt: prompt, kind: kind, size: 16, seed: UInt64(100 + i), sameSeed: 0.5,
                                              severity: [0.4, 1]) else { continue }
        seen.insert(kind)
        let w = pair.prompt, l = pair.loserPrompt
        XCTAssertEqual(pair.winner.labels.prompt, w)
        XCTAssertEqual(pair.loser.labels.prompt, l)
        XCTAssertEqual(w.objects.count, l.objects.count)
        XCTAssertEqual(w.style, l.style)
        let what = "\(kind): \(w) vs \(l)"
        switch kind {
        case .degraded:
          XCTAssertEqual(w, l, what)
          XCTAssertEqual(pair.winner.labels, pair.loser.labels, what)
          XCTAssertNotEqual(pair.winner.image, pair.loser.image, what)
        case .background:
          XCTAssertEqual(w.objects, l.objects, what)
          XCTAssertNotNil(w.background, what)
          XCTAssertNotEqual(w.background, l.background, what)
          XCTAssertNotEqual(pair.winner.labels.background, pair.loser.labels.background, what)
        default:
          XCTAssertEqual(w.background, l.background, what)
          let k = try XCTUnwrap(changedSpec(w, l), what)
          let (a, b) = (w.objects[k], l.objects[k])
          let drawn = pair.loser.labels.instances.filter { $0.spec == k }
          switch kind {
          case .colour:
            XCTAssertNotEqual(a.colour, b.colour, what)
            XCTAssertEqual(ObjectSpec(count: a.count, size: a.size, colour: b.colour, shape: a.shape, position: a.position), b, what)
            XCTAssertTrue(drawn.allSatisfy { $0.colour == b.colour }, what)
          case .shape:
            XCTAssertNotEqual(a.shape, b.shape, what)
            XCTAssertEqual(ObjectSpec(count: a.count, size: a.size, colour: a.colour, shape: b.shape, position: a.position), b, what)
            XCTAssertTrue(drawn.allSatisfy { $0.shape == b.shape }, what)
          case .count:
            XCTAssertNotEqual(a.count, b.count, what)
            XCTAssertEqual(pair.loser.labels.counts[k], b.count, what)
            XCTAssertNotEqual(pair.winner.labels.counts[k], pair.loser.labels.counts[k], what)
          case .position:
            let asked = try XCTUnwrap(a.position, what)
            XCTAssertNotEqual(asked, b.position, what)
            XCTAssertTrue(drawn.allSatisfy { $0.region != asked }, "the loser's object is not where the prompt asks: \(what)")
          default: XCTFail("unexpected kind \(kind)")
          }
        }
      }
    }
    XCTAssertEqual(seen, Set(NegativeKind.allCases))
  }

  /// Pairs for training come from training prompts, pairs for evaluation from held-out ones,
  /// and the kinds take turns.
  func testBuildKeepsTheSplitAndBalancesKinds() {
    let sampler = PromptSampler(seed: 8, distribution: PromptDistribution(secondObject: 0.3, position: 0.5, background: 0.33))
    let train = PreferencePairs.build(count: 24, size: 16, heldOut: false, sampler: sampler, seed: 1, sameSeed: 0.5, severity: [0.4, 1])
    let test = PreferencePairs.build(count: 12, size: 16, heldOut: true, sampler: sampler, seed: 2, sameSeed: 0.5, severity: [0.4, 1])
    XCTAssertTrue(train.allSatisfy { !PromptSampler.isHeldOut($0.prompt) })
    XCTAssertTrue(test.allSatisfy { PromptSampler.isHeldOut($0.prompt) })
    for kind in NegativeKind.allCases { XCTAssertEqual(train.filter { $0.kind == kind }.count, 4) }
  }

  /// A tiny run on a random-init tiny backbone: the head's training loss falls, and the
  /// report covers every kind.
  func testTinyPreferenceTrainingReducesItsLoss() throws {
    let cfg = try ConfigLoader.load(PreferencePretrainConfig.self, path: configPath("tiny-pretrain-preference.yaml"))
    let store = ParameterStore()
    let backbone = ViT(ViTConfig(imageSize: 16, patch: 4, width: 32, depth: 2, heads: 2), store: store)
    store.allocate(seed: 2)
    store.setTrainable(false) { _ in true }
    let (head, report) = trainPreference(cfg, backbone: backbone, backboneName: "random", log: { _ in })
    XCTAssertEqual(head.config.featureDim, 32)
    XCTAssertEqual(head.config.imageFeatureWidth, 32 * (1 + head.config.grid * head.config.grid))
    let first = try XCTUnwrap(report.lossCurve.first?[1]), last = try XCTUnwrap(report.lossCurve.last?[1])
    XCTAssertLessThan(last, first * 0.8, "loss \(report.lossCurve)")
    XCTAssertEqual(report.perKind.map(\.kind), NegativeKind.allCases.map(\.rawValue))
    XCTAssertEqual(report.trainPairs, cfg.trainPairs)
    XCTAssertEqual(report.testPairs, cfg.testPairs)
    XCTAssertGreaterThan(report.trainAccuracy, 0.6)
  }

  /// Saved head weights load back and give the same probabilities.
  func testPreferenceHeadRoundTrip() throws {
    let store = ParameterStore()
    // A 2 × 2 grid: each image's feature is the CLS token then four cells, 4 wide each.
    let head = PreferenceHead(PreferenceHeadConfig(featureDim: 4, embedDim: 3, hidden: 5, vocabularySize: 50, promptTokens: 12,
                                                   grid: 2, cellDim: 3), store: store)
    let F = head.config.imageFeatureWidth
    XCTAssertEqual(F, 20)
    XCTAssertEqual(store.entries.first { $0.name == "head.cell_proj.weight" }?.shape, Shape(3, 4))
    store.allocate(seed: 3)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pref-\(UUID().uuidString).safetensors").path
    try saveWeights(store, model: "preference", config: head.config, to: path)
    let loaded = try ModelLoader.preference(path: path)
    XCTAssertEqual(loaded.config, head.config)
    let g = Graph()
    g.recording = false
    let fa = g.constant(seededNormal(2 * F, seed: 1), Shape(2, F)), fb = g.constant(seededNormal(2 * F, seed: 2), Shape(2, F))
    let ids = Tokenizer.encode(Prompt(objects: [ObjectSpec(colour: .red, shape: .circle)]))
    let tokens = ids.map(Float.init), mask = Tokenizer.mask(ids)
    let t = g.constant(tokens + tokens, Shape(2, 12)), m = g.constant(mask + mask, Shape(2, 12))
    let p = head.probability(g, fa: fa, fb: fb, tokens: t, mask: m), q = loaded.probability(g, fa: fa, fb: fb, tokens: t, mask: m)
    // F16 storage rounds the weights, so the probabilities agree to F16 precision.
    XCTAssertLessThan(maxAbsDiff(p, q), 5e-3)
    // Order-averaged: P(a ≻ b) + P(b ≻ a) = 1 exactly.
    let r = head.probability(g, fa: fb, fb: fa, tokens: t, mask: m)
    for i in 0..<2 { XCTAssertEqual(p[i] + r[i], 1, accuracy: 1e-6) }
    // A group of three: the matrix holds the same order-averaged probabilities.
    let group = g.constant(seededNormal(3 * F, seed: 4), Shape(3, F))
    let matrix = head.groupMatrix(g, features: group, tokens: tokens, mask: mask)
    let f = group.toArray()
    let p01 = head.probability(g, fa: g.constant(Array(f[0..<F]), Shape(1, F)), fb: g.constant(Array(f[F..<(2 * F)]), Shape(1, F)),
                               tokens: g.constant(tokens, Shape(1, 12)), mask: g.constant(mask, Shape(1, 12)))
    XCTAssertEqual(matrix[0 * 3 + 1], p01[0], accuracy: 1e-6)
    for i in 0..<3 {
      XCTAssertEqual(matrix[i * 3 + i], 0.5)
      for j in 0..<3 where j != i { XCTAssertEqual(matrix[i * 3 + j] + matrix[j * 3 + i], 1, accuracy: 1e-6) }
    }
  }

  /// The readout keeps CLS first and averages the patch tokens of each grid cell.
  func testReadoutPoolsPatchTokensOnTheGrid() {
    // One image, side 4 (16 patches), width 1: patch value = its raster index, CLS = −1.
    let tokens: [Float] = [-1] + (0..<16).map(Float.init)
    let out = PreferenceHead.readout(tokens: tokens, count: 1, tokens: 17, width: 1, side: 4, grid: 2)
    // Cells of 2 × 2 patches: top-left {0, 1, 4, 5}, top-right {2, 3, 6, 7}, …
    XCTAssertEqual(out, [-1, 2.5, 4.5, 10.5, 12.5])
    // A grid that does not divide the side still covers every patch once (rows 0–1, 2 and 3).
    let odd = PreferenceHead.readout(tokens: tokens, count: 1, tokens: 17, width: 1, side: 4, grid: 3)
    XCTAssertEqual(odd.count, 10)
    XCTAssertEqual(odd[0], -1)
  }
}
