import Engine
@testable import GRPO
import World
import XCTest

/// The prompt-conditioned (projection) discriminator: its gradient, its mismatched negatives,
/// and what it can tell apart that the unconditioned one cannot.
final class PromptDiscriminatorTests: XCTestCase {
  let d = 16, T = 3

  func prompt(_ text: String) -> Prompt { try! Prompt.parse(text) }

  /// n images whose every token is a unit vector near `centre` (one direction per prompt).
  func cloud(_ direction: Int, n: Int, rng: inout RNG) -> [Float] {
    var v = [Float](repeating: 0, count: n * T * d)
    for row in 0..<(n * T) {
      var norm: Float = 0
      for i in 0..<d {
        let x = (i == direction ? 3 : 0) + 0.3 * rng.normal()
        v[row * d + i] = x
        norm += x * x
      }
      for i in 0..<d { v[row * d + i] /= norm.squareRoot() }
    }
    return v
  }

  func conditioned(_ on: Bool, hidden: Int = 16) -> DiscriminatorConfig {
    var c = DiscriminatorConfig()
    c.hidden = hidden
    c.lr = 3e-3
    c.promptProjection = on
    return c
  }

  func testUnconditionedHeadKeepsItsParametersAndIgnoresPrompts() {
    let plain = Discriminator(config: conditioned(false), featureWidth: d, seed: 3)
    XCTAssertFalse(plain.head.isConditioned)
    XCTAssertEqual(plain.store.entries.map(\.name), ["disc.fc1.weight", "disc.fc1.bias", "disc.fc2.weight", "disc.fc2.bias"])
    let on = Discriminator(config: conditioned(true), featureWidth: d, seed: 3)
    XCTAssertEqual(on.store.entries.last?.name, "disc.prompt_embed.weight")
    XCTAssertEqual(on.store.entries.last?.shape, Shape(Tokenizer.vocabularySize, d))
    // Same seed, same MLP: with the table at zero the conditioned head scores as the plain one.
    var rng = RNG(seed: 5)
    let f = TokenFeatures(values: cloud(2, n: 4, rng: &rng), count: 4, tokens: T, width: d)
    let prompts = [Prompt](repeating: prompt("red circle"), count: 4)
    XCTAssertEqual(plain.rewards(f), on.rewards(f, prompts: prompts))
  }

  func testMismatchedPromptsComeFromAnotherPromptOfTheBatch() {
    let a = prompt("red circle"), b = prompt("blue square")
    XCTAssertNil(Discriminator.mismatched([a, a, a]))
    XCTAssertEqual(Discriminator.mismatched([a, a, b, b]), [b, b, a, a])
    XCTAssertEqual(Discriminator.mismatched([a, b]), [b, a])
  }

  /// The conditioned hinge loss (references, samples and mismatched references) against
  /// central differences in every parameter, the prompt table included.
  func testConditionedLossGradientMatchesFiniteDifferences() {
    let disc = Discriminator(config: conditioned(true, hidden: 8), featureWidth: d, seed: 9)
    var rng = RNG(seed: 21)
    // A non-zero table, so the projection term has a gradient into the features' direction too.
    var values = disc.store.snapshot()
    for i in 0..<values.count { values[i] = 0.3 * rng.normal() }
    disc.store.restore(values)
    let a = prompt("red circle"), b = prompt("two blue squares at top-left")
    let refs = TokenFeatures(values: cloud(1, n: 4, rng: &rng), count: 4, tokens: T, width: d)
    let gens = TokenFeatures(values: cloud(5, n: 4, rng: &rng), count: 4, tokens: T, width: d)
    let refPrompts = [a, a, b, b], genPrompts = [a, b, a, b]
    let prompts = disc.promptSet(references: refPrompts, generated: genPrompts)
    XCTAssertNotNil(prompts.mismatched)
    func loss(_ g: Graph) -> Tensor {
      disc.hingeLoss(g, disc.scores(g, refs, prompts: prompts.references), disc.scores(g, gens, prompts: prompts.generated),
                     prompts.mismatched.map { disc.scores(g, refs, prompts: $0) }, refT: T, genT: T)
    }
    let g = Graph()
    disc.store.zeroGrads()
    g.backward(from: loss(g))
    let analytic = Array(UnsafeBufferPointer(start: disc.store.grads, count: disc.store.count))
    let h = Graph()
    h.recording = false
    func value() -> Double { h.reset(); return Double(loss(h).toArray()[0]) }
    var diff2 = 0.0, norm2 = 0.0, tableChecked = 0
    let table = disc.store.entries.last?.offset ?? 0
    let eps: Float = 1e-3
    for i in 0..<disc.store.count {
      let x = disc.store.values[i]
      disc.store.values[i] = x + eps
      let up = value()
      disc.store.values[i] = x - eps
      let down = value()
      disc.store.values[i] = x
      let numeric = (up - down) / (2 * Double(eps))
      diff2 += (numeric - Double(analytic[i])) * (numeric - Double(analytic[i]))
      norm2 += numeric * numeric
      if i >= table && abs(numeric) > 1e-4 { tableChecked += 1 }
    }
    XCTAssertGreaterThan(tableChecked, 5, "the prompt table must receive gradient")
    XCTAssertLessThan((diff2 / max(norm2, 1e-12)).squareRoot(), 2e-2)
  }

  /// References of prompt A sit at direction 1 and of B at direction 7; samples answer each
  /// prompt with the other prompt's content. Pooled over prompts, samples and references look
  /// alike, so only a D that reads the prompt can tell them apart on fresh draws.
  func testOnlyTheConditionedHeadSeesContentThatAnswersTheWrongPrompt() {
    let a = prompt("red circle"), b = prompt("blue square")
    var rng = RNG(seed: 31)
    let n = 8
    func draw() -> (refs: TokenFeatures, gens: TokenFeatures) {
      (TokenFeatures(values: cloud(1, n: n, rng: &rng) + cloud(7, n: n, rng: &rng), count: 2 * n, tokens: T, width: d),
       TokenFeatures(values: cloud(7, n: n, rng: &rng) + cloud(1, n: n, rng: &rng), count: 2 * n, tokens: T, width: d))
    }
    let train = draw(), fresh = draw()
    let prompts = [Prompt](repeating: a, count: n) + [Prompt](repeating: b, count: n)
    var ordered: [Bool: Float] = [:], gap: [Bool: Float] = [:]
    for on in [false, true] {
      var cfg = conditioned(on)
      cfg.lr = 1e-2
      let disc = Discriminator(config: cfg, featureWidth: d, seed: 3)
      _ = disc.train(references: train.refs, generated: train.gens, steps: 300, referencePrompts: prompts, generatedPrompts: prompts)
      let r = disc.rewards(fresh.refs, prompts: prompts), s = disc.rewards(fresh.gens, prompts: prompts)
      // Share of (reference, sample) pairs of one prompt that the reward puts in the right order.
      var right = 0
      for i in 0..<(2 * n) { for j in 0..<(2 * n) where i / n == j / n && r[i] > s[j] { right += 1 } }
      ordered[on] = Float(right) / Float(2 * n * n)
      gap[on] = (r.reduce(0, +) - s.reduce(0, +)) / Float(2 * n)
    }
    XCTAssertGreaterThanOrEqual(ordered[true] ?? 0, 0.95)
    XCTAssertLessThanOrEqual(ordered[false] ?? 1, 0.7)
    XCTAssertGreaterThan(gap[true] ?? 0, 1, "references must out-score the mismatched samples")
    XCTAssertLessThan(abs(gap[false] ?? 1), 0.5)
  }
}
