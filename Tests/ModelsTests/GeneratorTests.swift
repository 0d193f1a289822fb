import Engine
import Models
import TestSupport
import XCTest

/// A tiny generator whose zero-initialised (adaLN-Zero, final) layers get small random
/// values, so every path carries signal in the checks below.
func makeTinyGenerator(seed: UInt64 = 3) -> Generator {
  var cfg = GeneratorConfig.tiny
  cfg.vocabularySize = 10
  cfg.promptTokens = 4
  let store = ParameterStore()
  let gen = Generator(cfg, store: store)
  store.allocate(seed: seed)
  var rng = RNG(seed: seed + 100)
  for e in store.entries where e.name.contains("adaLN") || e.name.hasPrefix("final_layer") {
    rng.fillNormal(store.values + e.offset, count: e.shape.count, std: 0.05)
  }
  return gen
}

final class GeneratorTests: XCTestCase {
  func testShapesAndParameterCount() {
    let store = ParameterStore()
    var cfg = GeneratorConfig()
    cfg.vocabularySize = 40
    _ = Generator(cfg, store: store)
    store.allocate(seed: 0)
    XCTAssertLessThanOrEqual(store.count, 2_500_000, "WORLD.md caps the generator at 2.5 M parameters")
    XCTAssertNotNil(store.param(named: "blocks.5.attn.qkv.weight"))
    XCTAssertEqual(store.entries.first { $0.name == "x_embedder.proj.weight" }?.shape, Shape(128, 48))
  }

  func testZeroInitPredictsZeroVelocity() {
    var cfg = GeneratorConfig.tiny
    cfg.vocabularySize = 10
    cfg.promptTokens = 4
    let store = ParameterStore()
    let gen = Generator(cfg, store: store)
    store.allocate(seed: 1)
    let g = Graph()
    let v = gen.velocity(g, x: g.constant(seededNormal(2 * 3 * 16 * 16, seed: 2), Shape(2, 3, 16, 16)),
                         t: g.constant([0.3, 0.9], Shape(2)), tokens: g.constant([1, 2, 0, 0, 3, 0, 0, 0], Shape(2, 4)),
                         mask: g.constant([1, 1, 0, 0, 1, 0, 0, 0], Shape(2, 4)))
    XCTAssertEqual(v.shape, Shape(2, 3, 16, 16))
    XCTAssertEqual(v.toArray().map(abs).max(), 0, "a zero-initialised final layer must predict exactly 0")
  }

  /// The whole network's input gradient against finite differences: catches wiring errors
  /// (a wrong slice, a swapped chunk) that per-op checks cannot see.
  func testVelocityGradientMatchesFiniteDifferences() {
    let gen = makeTinyGenerator()
    let tokens: [Float] = [1, 5, 2, 0, 3, 0, 0, 0], mask: [Float] = [1, 1, 1, 0, 1, 0, 0, 0]
    let r = gradCheck(inputs: [(seededNormal(2 * 3 * 16 * 16, seed: 4), Shape(2, 3, 16, 16))], eps: 1e-2) { g, x in
      gen.velocity(g, x: x[0], t: g.constant([0.3, 0.8], Shape(2)), tokens: g.constant(tokens, Shape(2, 4)),
                   mask: g.constant(mask, Shape(2, 4)))
    }
    XCTAssertLessThan(r.worst, 2e-2, "generator input gradient: \(r)")
  }

  /// Padding tokens are masked out of attention and pooling: changing a padded id must not
  /// change the output.
  func testPaddedTokensAreIgnored() {
    let gen = makeTinyGenerator()
    let x = seededNormal(3 * 16 * 16, seed: 5)
    func run(_ padID: Float) -> [Float] {
      let g = Graph()
      return gen.velocity(g, x: g.constant(x, Shape(1, 3, 16, 16)), t: g.constant([0.5], Shape(1)),
                          tokens: g.constant([2, 3, padID, padID], Shape(1, 4)), mask: g.constant([1, 1, 0, 0], Shape(1, 4))).toArray()
    }
    XCTAssertEqual(run(0), run(7))
  }

  func testLoRAOffIsTheBaseModel() {
    var cfg = GeneratorConfig.tiny
    cfg.vocabularySize = 10
    cfg.promptTokens = 4
    cfg.lora = LoRAConfig(rank: 2, alpha: 4)
    let store = ParameterStore()
    let gen = Generator(cfg, store: store)
    store.allocate(seed: 1)
    var rng = RNG(seed: 9)
    for e in store.entries where e.name.contains("lora_B") || e.name.contains("adaLN") || e.name.hasPrefix("final_layer") {
      rng.fillNormal(store.values + e.offset, count: e.shape.count, std: 0.1)
    }
    let x = seededNormal(3 * 16 * 16, seed: 6)
    func run(lora: Bool) -> [Float] {
      let g = Graph()
      g.loraEnabled = lora
      return gen.velocity(g, x: g.constant(x, Shape(1, 3, 16, 16)), t: g.constant([0.5], Shape(1)),
                          tokens: g.constant([2, 3, 0, 0], Shape(1, 4)), mask: g.constant([1, 1, 0, 0], Shape(1, 4))).toArray()
    }
    let withLoRA = run(lora: true), without = run(lora: false)
    XCTAssertNotEqual(withLoRA, without)
    // Zeroing every adapter's B gives the base model exactly.
    for e in store.entries where e.name.contains("lora_B") { (store.values + e.offset).initialize(repeating: 0, count: e.shape.count) }
    XCTAssertEqual(run(lora: true), without)
  }
}
