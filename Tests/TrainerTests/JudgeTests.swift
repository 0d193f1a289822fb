import Engine
import Foundation
import Models
import Trainer
import World
import XCTest

final class JudgeTests: XCTestCase {
  /// Configs/ beside the package root, found from this file.
  static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Configs")

  func tinyConfig(_ overrides: [String] = []) throws -> JudgePretrainConfig {
    try ConfigLoader.load(JudgePretrainConfig.self, path: JudgeTests.configs.appendingPathComponent("tiny-pretrain-judge.yaml").path,
                          overrides: overrides)
  }

  /// A perfectly confident prediction of a render's own labels (uniform where unlabelled).
  func confident(_ targets: JudgeTargets) -> JudgedAttributes {
    JudgedAttributes(probabilities: JudgedAttribute.allCases.map { a in
      guard let t = targets[a] else { return [Float](repeating: 1 / Float(a.classes), count: a.classes) }
      return (0..<a.classes).map { $0 == t ? 1 : 0 }
    })
  }

  func testHeadsMatchTheWorld() {
    let cfg = AttributeJudgeConfig.world(trunk: ViTConfig())
    XCTAssertEqual(cfg.heads.map(\.classes), [10, 6, 9, 3, 14, 7, 11, 7, 9, 3])
    XCTAssertTrue(cfg.matchesWorld)
    XCTAssertEqual(JudgedAttribute.background.classNames.first, "none")
    XCTAssertEqual(JudgedAttribute.secondShape.classNames.last, "none")
  }

  /// The first object is the one whose colour comes first in the colour list (ties: shape),
  /// whatever the prompt's word order; positions and counts come from the drawn instances.
  func testLabelsFollowCanonicalOrder() throws {
    let p = try Prompt.parse("two blue stars at top-left and red circle at bottom-right on striped in neon style")
    let labels = Renderer.render(p, size: 32, seed: 4).labels
    let t = JudgeTargets(labels: labels)
    XCTAssertEqual(t[.colour], AttributeClass.colour(.red))
    XCTAssertEqual(t[.shape], AttributeClass.shape(.circle))
    XCTAssertEqual(t[.position], AttributeClass.position(.bottomRight))
    XCTAssertEqual(t[.count], 0)
    XCTAssertEqual(t[.secondColour], AttributeClass.colour(.blue))
    XCTAssertEqual(t[.secondShape], AttributeClass.shape(.star))
    XCTAssertEqual(t[.secondPosition], AttributeClass.position(.topLeft))
    XCTAssertEqual(t[.secondCount], 1)
    XCTAssertEqual(t[.background], AttributeClass.background(.striped))
    XCTAssertEqual(t[.style], AttributeClass.style(.neon))
    let tie = JudgeTargets(labels: Renderer.render(try Prompt.parse("red star and red square"), size: 32, seed: 1).labels)
    XCTAssertEqual([tie[.shape], tie[.secondShape]], [AttributeClass.shape(.square), AttributeClass.shape(.star)])
    let one = JudgeTargets(labels: Renderer.render(try Prompt.parse("green cross"), size: 32, seed: 2).labels)
    XCTAssertEqual([one[.secondColour], one[.secondShape], one[.secondPosition], one[.secondCount]],
                   [AttributeClass.noSecondColour, AttributeClass.noSecondShape, nil, nil])
    XCTAssertEqual(one[.background], 0)
    XCTAssertEqual(one[.style], 0)
  }

  /// On many sampled renders the targets agree with the labels the renderer reports.
  func testLabelsMatchRenders() {
    var d = PromptDistribution(secondObject: 0.5, style: 0.3)
    d.countWeights = [0.4, 0.3, 0.3]
    for (i, p) in PromptSampler(seed: 3, distribution: d).training(count: 300).enumerated() {
      let labels = Renderer.render(p, size: 32, seed: UInt64(i)).labels
      let t = JudgeTargets(labels: labels)
      let rank = { (o: ObjectSpec) in (AttributeClass.colour(o.colour), AttributeClass.shape(o.shape)) }
      let first = p.objects.min { rank($0) < rank($1) }
      XCTAssertEqual(t[.colour], first.map { AttributeClass.colour($0.colour) })
      XCTAssertEqual(t[.shape], first.map { AttributeClass.shape($0.shape) })
      let k = CanonicalOrder.order(p.objects)[0]
      let cells = Set(labels.instances.filter { $0.spec == k }.map(\.region))
      XCTAssertEqual(t[.position], cells.count == 1 ? cells.first.map(AttributeClass.position) : nil)
      if let pos = p.objects[k].position { XCTAssertEqual(t[.position], AttributeClass.position(pos), p.text) }
      XCTAssertEqual(t[.count], labels.counts[k] - 1)
      XCTAssertEqual(t[.secondColour] == AttributeClass.noSecondColour, p.objects.count == 1)
      XCTAssertEqual(t.flat.count, JudgedAttribute.allCases.count)
    }
  }

  func testGeometricMean() {
    XCTAssertEqual(Alignment.geometricMean([0.5, 0.125]), 0.25, accuracy: 1e-6)
    XCTAssertEqual(Alignment.geometricMean([0.3]), 0.3, accuracy: 1e-6)
    XCTAssertEqual(Alignment.geometricMean([0.9, 0.9, 0.9]), 0.9, accuracy: 1e-6)
    XCTAssertEqual(Alignment.geometricMean([]), 1)
    XCTAssertLessThan(Alignment.geometricMean([1, 1, 1, 0]), 1e-6)
  }

  /// A perfectly confident judge of a render gives its prompt alignment 1, and ~0 to a
  /// prompt that differs in any one judged attribute (including swapped objects).
  func testAlignmentOfConfidentPredictions() throws {
    let text = "two blue stars at top-left and red circle on striped in neon style"
    let p = try Prompt.parse(text)
    let j = confident(JudgeTargets(labels: Renderer.render(p, size: 32, seed: 4).labels))
    XCTAssertEqual(Alignment.probability(prompt: p, prediction: j), 1, accuracy: 1e-6)
    XCTAssertTrue(Alignment.isAligned(prompt: p, prediction: j))
    XCTAssertTrue(Alignment.correctness(prompt: p, prediction: j).values.allSatisfy { $0 })
    for wrong in ["two red stars at top-left and blue circle on striped in neon style",
                  "two blue stars at top-left and red square on striped in neon style",
                  "blue star at top-left and red circle on striped in neon style",
                  "two blue stars at top and red circle on striped in neon style",
                  "two blue stars at top-left and red circle on checkered in neon style",
                  "two blue stars at top-left and red circle on striped in sketch style",
                  "two blue stars at top-left on striped in neon style"] {
      let q = try Prompt.parse(wrong)
      XCTAssertLessThan(Alignment.probability(prompt: q, prediction: j), 1e-3, wrong)
      XCTAssertFalse(Alignment.isAligned(prompt: q, prediction: j), wrong)
    }
    // Word order does not matter; an unnamed position is not judged.
    XCTAssertEqual(Alignment.probability(prompt: try Prompt.parse("red circle and two blue stars on striped in neon style"), prediction: j),
                   1, accuracy: 1e-6)
    let wrongColour = try Prompt.parse("two blue stars at top-left and green circle on striped in neon style")
    XCTAssertEqual(Alignment.correctness(prompt: wrongColour, prediction: j).filter { !$0.value }.count, 1)
  }

  /// Partial credit is the mean of the asked-for probabilities: 1 for a confident right
  /// judgement, (n − 1)/n with one of n attributes confidently wrong (where the geometric
  /// mean is ~0), and with one attribute at chance it moves only by that attribute's share.
  func testPartialCreditIsTheMeanOfTheAskedProbabilities() throws {
    let p = try Prompt.parse("two blue stars at top-left on striped")
    let j = confident(JudgeTargets(labels: Renderer.render(p, size: 32, seed: 4).labels))
    XCTAssertEqual(Alignment.partialCredit(prompt: p, prediction: j), 1, accuracy: 1e-6)
    let reqs = try XCTUnwrap(Alignment.assignments(p).first)
    let n = Float(reqs.count)  // colour, shape, count, position, no second object, background
    XCTAssertEqual(n, 6)
    let wrong = try Prompt.parse("two green stars at top-left on striped")
    XCTAssertEqual(Alignment.partialCredit(prompt: wrong, prediction: j), (n - 1) / n, accuracy: 1e-6)
    XCTAssertLessThan(Alignment.probability(prompt: wrong, prediction: j), 1e-4)  // (1e-30 floor)^(1/6)
    // The shape head at chance (1/6 each): credit falls by (1 − 1/6)/n, not to ~0.
    var atChance = j
    let shape = JudgedAttribute.shape.head
    atChance.probabilities[shape] = [Float](repeating: 1 / 6, count: 6)
    XCTAssertEqual(Alignment.partialCredit(prompt: p, prediction: atChance), 1 - (1 - 1 / 6) / n, accuracy: 1e-6)
  }

  /// Sketch hides colour, so a sketch prompt is not judged on colour words.
  func testSketchSkipsColour() throws {
    let p = try Prompt.parse("red circle on blue in sketch style")
    let reqs = Alignment.assignments(p)
    XCTAssertEqual(reqs.count, 1)
    XCTAssertEqual(Set(reqs[0].map(\.attribute)), [.shape, .count, .secondShape, .style])
  }

  /// Same seed, same bits; the summed cross-entropy falls over a few dozen steps.
  func testTinyJudgeTrainsDeterministically() throws {
    let cfg = try tinyConfig(["steps=40"])
    let a = trainJudge(cfg, log: { _ in })
    let b = trainJudge(cfg, log: { _ in })
    XCTAssertEqual(a.losses, b.losses)
    XCTAssertEqual(a.judge.store.snapshot(), b.judge.store.snapshot())
    let early = a.losses.prefix(5).reduce(0, +) / 5, late = a.losses.suffix(5).reduce(0, +) / 5
    XCTAssertLessThan(late, 0.85 * early, "loss \(early) → \(late)")
    let other = trainJudge(try tinyConfig(["steps=3", "seed=4"]), log: { _ in })
    XCTAssertNotEqual(other.judge.store.snapshot(), a.judge.store.snapshot())
    let eval = JudgeEvaluation.run(a.judge, eval: cfg.eval, prompts: cfg.prompts, styleStrength: cfg.styleStrength)
    XCTAssertEqual(eval.clean.images, cfg.eval.count)
    XCTAssertTrue(eval.table(title: "tiny").contains("second-colour"))
  }

  /// Saved weights load back to identical logits (after the first F16 rounding).
  func testJudgeLoaderRoundTrip() throws {
    let cfg = try tinyConfig(["steps=2"])
    let trained = trainJudge(cfg, log: { _ in })
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("judge-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = dir.appendingPathComponent("a.safetensors").path, second = dir.appendingPathComponent("b.safetensors").path
    try saveWeights(trained.judge.store, model: "judge", config: trained.judge.config, to: first)
    let loaded = try ModelLoader.judge(path: first)
    try saveWeights(loaded.store, model: "judge", config: loaded.config, to: second)
    let again = try ModelLoader.judge(path: second)
    let x: [Float] = (0..<(3 * 3 * 16 * 16)).map { (i: Int) -> Float in Float((i * 37) % 101) / 50 - 1 }
    XCTAssertEqual(loaded.predict(images: x), again.predict(images: x))
    let original = trained.judge.predict(images: x), f16 = loaded.predict(images: x)
    for (p, q) in zip(original.flatMap { $0.probabilities.joined() }, f16.flatMap { $0.probabilities.joined() }) {
      XCTAssertEqual(p, q, accuracy: 2e-2)
    }
    XCTAssertThrowsError(try ModelLoader.quality(path: first))
  }

  /// The shipped judges and quality regressor load, and agree with an easy render.
  func testShippedModelsLoadAndJudge() throws {
    let prompt = try Prompt.parse("large red square at center on blue")
    let scene = Renderer.render(prompt, size: 32, seed: 1)
    for name in ["judge-a", "judge-b"] {
      let judge = try ModelLoader.judge(named: name)
      XCTAssertTrue(judge.config.matchesWorld)
      let p = judge.alignment(prompt: prompt, images: [scene.image])
      XCTAssertGreaterThan(p[0], 0.5, name)
      let wrong = judge.alignment(prompt: try Prompt.parse("large green star at top-left on blue"), images: [scene.image])
      XCTAssertLessThan(wrong[0], 0.1, name)
    }
    let quality = try ModelLoader.quality(path: nil)
    let clean = quality.quality(images: scene.image.planarSigned())
    let blurred = quality.quality(images: Degradation.blur.apply(to: scene.image, severity: 1, seed: 1).planarSigned())
    XCTAssertGreaterThan(clean[0], blurred[0])
  }
}
