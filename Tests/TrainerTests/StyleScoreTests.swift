import Engine
import Foundation
import Imaging
import Models
import TestSupport
import Trainer
import World
import XCTest

final class StyleScoreTests: XCTestCase {
  /// Every pair is what its kind claims. Content-only losers are the content itself under
  /// another or a weakened style; style-only losers are the asked style over a content whose
  /// prompt differs in exactly the named attribute, and whose render really differs.
  func testPairsAreWhatTheyClaim() throws {
    let prompts = PromptSampler(seed: 8, distribution: PromptDistribution(secondObject: 0.4, position: 0.5, background: 0.3, pattern: 0, style: 0))
      .training(count: 12)
    var seen = Set<StyleNegativeKind>()
    for (i, prompt) in prompts.enumerated() {
      for kind in StyleNegativeKind.allCases {
        let style = Style.allCases[(i + (StyleNegativeKind.allCases.firstIndex(of: kind) ?? 0)) % Style.allCases.count]
        guard let pair = StylePairs.make(prompt: prompt, style: style, kind: kind, size: 16, seed: UInt64(300 + i)) else { continue }
        seen.insert(kind)
        let what = "\(kind) \(style): \(pair.prompt) vs \(pair.loserPrompt)"
        XCTAssertNil(pair.prompt.style, what)
        XCTAssertNotEqual(pair.winner, pair.content, "the style changes the image: \(what)")
        XCTAssertNotEqual(pair.winner, pair.loser, what)
        switch kind {
        case .wrongStyle:
          XCTAssertEqual(pair.prompt, pair.loserPrompt, what)
          XCTAssertNotEqual(pair.loserStyle, style, what)
          XCTAssertEqual(pair.loserStrength, 1, what)
        case .weakStyle:
          XCTAssertEqual(pair.prompt, pair.loserPrompt, what)
          XCTAssertEqual(pair.loserStyle, style, what)
          XCTAssertTrue(StylePairs.weakStrength.contains(pair.loserStrength), what)
          // A weakened style lies between the content and the full style, pixel by pixel.
          let (c, w, l) = (pair.content.pixels, pair.winner.pixels, pair.loser.pixels)
          for j in c.indices where abs(w[j] - c[j]) > 1e-3 {
            XCTAssertLessThan(abs(l[j] - c[j]), abs(w[j] - c[j]) + 1e-4, what)
          }
        case .moved, .recoloured, .reshaped:
          XCTAssertEqual(pair.loserStyle, style, what)
          XCTAssertEqual(pair.loserStrength, 1, what)
          let changed = pair.prompt.objects.indices.filter { pair.prompt.objects[$0] != pair.loserPrompt.objects[$0] }
          XCTAssertEqual(changed.count, 1, what)
          let (a, b) = (pair.prompt.objects[changed[0]], pair.loserPrompt.objects[changed[0]])
          switch kind {
          case .moved: XCTAssertTrue(a.position != b.position && a.colour == b.colour && a.shape == b.shape, what)
          case .recoloured: XCTAssertTrue(a.colour != b.colour && a.position == b.position && a.shape == b.shape, what)
          default: XCTAssertTrue(a.shape != b.shape && a.colour == b.colour && a.position == b.position, what)
          }
          let drifted = Renderer.render(pair.loserPrompt, size: 16, seed: 1).image
          XCTAssertNotEqual(drifted, Renderer.render(pair.prompt, size: 16, seed: 1).image, what)
        }
      }
    }
    XCTAssertEqual(seen, Set(StyleNegativeKind.allCases))
  }

  /// Training and held-out pairs stay on their prompt split, and kinds and styles are balanced.
  func testBuildKeepsTheSplitAndBalances() {
    let sampler = PromptSampler(seed: 4, distribution: PromptDistribution(secondObject: 0.3, position: 0.5, pattern: 0, style: 0))
    for heldOut in [false, true] {
      let pairs = StylePairs.build(count: 60, size: 16, heldOut: heldOut, sampler: sampler, seed: 9)
      XCTAssertEqual(pairs.count, 60)
      XCTAssertTrue(pairs.allSatisfy { PromptSampler.isHeldOut($0.prompt) == heldOut })
      for kind in StyleNegativeKind.allCases { XCTAssertEqual(pairs.filter { $0.kind == kind }.count, 12, "\(kind)") }
      for style in Style.allCases { XCTAssertEqual(pairs.filter { $0.style == style }.count, 10, "\(style)") }
    }
  }

  /// The Bradley–Terry loss is mean softplus(r_l − r_w), and its gradient through the head
  /// (projection, difference, SiLU MLP) matches central finite differences.
  func testBradleyTerryLossAndGradient() {
    let store = ParameterStore()
    let model = StyleScore(StyleScoreConfig(featureDim: 4, grid: 2, cellDim: 3, styles: 6, embedDim: 3, hidden: 7), store: store)
    store.allocate(seed: 5)
    let B = 3, F = model.config.imageFeatureWidth
    XCTAssertEqual(F, 20)
    let content = seededNormal(B * F, seed: 1), winner = seededNormal(B * F, seed: 2), loser = seededNormal(B * F, seed: 3)
    let styles: [Float] = [0, 4, 2]
    let g = Graph()
    g.recording = false
    let rw = model.score(g, content: g.constant(content, Shape(B, F)), output: g.constant(winner, Shape(B, F)), styles: g.constant(styles, Shape(B))).toArray()
    let rl = model.score(g, content: g.constant(content, Shape(B, F)), output: g.constant(loser, Shape(B, F)), styles: g.constant(styles, Shape(B))).toArray()
    let expected = zip(rw, rl).map { Foundation.log(1 + Foundation.exp(Double($1 - $0))) }.reduce(0, +) / Double(B)
    let loss = model.bradleyTerryLoss(g, content: g.constant(content, Shape(B, F)), winner: g.constant(winner, Shape(B, F)),
                                      loser: g.constant(loser, Shape(B, F)), styles: g.constant(styles, Shape(B)))
    XCTAssertEqual(Double(loss[0]), expected, accuracy: 1e-5)
    let check = gradCheck(inputs: [(content, Shape(B, F)), (winner, Shape(B, F)), (loser, Shape(B, F))], eps: 1e-2) { g, x in
      model.bradleyTerryLoss(g, content: x[0], winner: x[1], loser: x[2], styles: g.constant(styles, Shape(B)))
    }
    XCTAssertLessThan(check.worst, 2e-2, "\(check)")
    // Swapping winner and loser turns the margin around: loss(w, l) + loss(l, w) relate by softplus(d) − softplus(−d) = d.
    let swapped = model.bradleyTerryLoss(g, content: g.constant(content, Shape(B, F)), winner: g.constant(loser, Shape(B, F)),
                                         loser: g.constant(winner, Shape(B, F)), styles: g.constant(styles, Shape(B)))
    let meanMargin = zip(rw, rl).map { Double($0 - $1) }.reduce(0, +) / Double(B)
    XCTAssertEqual(Double(swapped[0] - loss[0]), meanMargin, accuracy: 1e-4)
  }

  /// A tiny run on a random-init tiny backbone: the loss falls, the report covers every kind
  /// with the exemplar baseline, and the saved weights load back to the same scores.
  func testTinyTrainingAndRoundTrip() throws {
    let cfg = try ConfigLoader.load(StyleScorePretrainConfig.self, path: configPath("tiny-pretrain-stylescore.yaml"))
    let store = ParameterStore()
    let backbone = ViT(ViTConfig(imageSize: 16, patch: 4, width: 32, depth: 2, heads: 2), store: store)
    store.allocate(seed: 2)
    store.setTrainable(false) { _ in true }
    let (model, report) = trainStyleScore(cfg, backbone: backbone, quality: nil, backboneName: "random", log: { _ in })
    XCTAssertEqual(model.config.featureDim, 32)
    let first = try XCTUnwrap(report.lossCurve.first?[1]), last = try XCTUnwrap(report.lossCurve.last?[1])
    XCTAssertLessThan(last, first * 0.8, "loss \(report.lossCurve)")
    XCTAssertEqual(report.perKind.map(\.kind), StyleNegativeKind.allCases.map(\.rawValue))
    XCTAssertEqual(report.perKind.map(\.pairs).reduce(0, +), cfg.testPairs)
    XCTAssertGreaterThan(report.trainAccuracy, 0.7)
    XCTAssertEqual(report.qualityAccuracy, 0, "no quality judge was given")

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylescore-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("stylescore.safetensors").path
    try saveWeights(model.store, model: "stylescore", config: model.config, to: path)
    let loaded = try ModelLoader.styleScore(path: path)
    let F = model.config.imageFeatureWidth, n = 4
    let c = seededNormal(n * F, seed: 11, std: 0.1), o = seededNormal(n * F, seed: 12, std: 0.1)
    let s = model.scores(content: c, output: o, styles: [0, 1, 2, 3])
    let t = loaded.scores(content: c, output: o, styles: [0, 1, 2, 3])
    // Weights are stored as F16: close, not bit-equal.
    for (a, b) in zip(s, t) { XCTAssertEqual(a, b, accuracy: 2e-2 * max(1, abs(a))) }
  }

  /// The shipped StyleScore loads, reads the shipped backbone's width and knows every style.
  func testShippedStyleScoreLoads() throws {
    let model = try ModelLoader.styleScore(path: nil)
    let backbone = try ModelLoader.backbone(path: nil)
    XCTAssertEqual(model.config.featureDim, backbone.config.width)
    XCTAssertEqual(model.config.styles, Style.allCases.count)
  }
}
