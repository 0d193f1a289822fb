import Engine
import Foundation
import XCTest

final class OptimTests: XCTestCase {
  /// AdamW against the update written out from the paper, in Double, over several steps.
  func testAdamWMatchesReference() {
    let store = ParameterStore()
    let w = store.declare("w", Shape(2, 2), init: .constant(0.5))
    let b = store.declare("b", Shape(2), init: .constant(-0.25))
    store.allocate(seed: 0)
    let cfg = AdamWConfig(lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.05)
    let opt = AdamW(store: store, config: cfg)
    var p = [Double](repeating: 0.5, count: 4) + [-0.25, -0.25]
    var m = [Double](repeating: 0, count: 6), v = [Double](repeating: 0, count: 6)
    let grads: [[Double]] = [[0.1, -0.2, 0.3, 0.0, 1.0, -1.0], [0.5, 0.5, -0.1, 0.2, 0.0, 0.3], [-0.3, 0.1, 0.1, 0.1, 0.2, 0.2]]
    for (t, gs) in grads.enumerated() {
      for i in 0..<6 { store.grads[i] = Float(gs[i]) }
      opt.update()
      let step = Double(t + 1)
      for i in 0..<6 {
        m[i] = 0.9 * m[i] + 0.1 * gs[i]
        v[i] = 0.99 * v[i] + 0.01 * gs[i] * gs[i]
        let mh = m[i] / (1 - Foundation.pow(0.9, step)), vh = v[i] / (1 - Foundation.pow(0.99, step))
        let decay = i < 4 ? 1 - 0.1 * 0.05 : 1.0  // matrices decay, the bias does not
        p[i] = p[i] * decay - 0.1 * mh / (vh.squareRoot() + 1e-8)
      }
    }
    for i in 0..<4 { XCTAssertEqual(Double(store[w][i]), p[i], accuracy: 1e-5) }
    for i in 0..<2 { XCTAssertEqual(Double(store[b][i]), p[4 + i], accuracy: 1e-5) }
  }

  func testFrozenParametersDoNotMove() {
    let store = ParameterStore()
    let a = store.declare("base.weight", Shape(3), init: .constant(1))
    let l = store.declare("base.lora_A.weight", Shape(3), init: .constant(1))
    store.allocate(seed: 0)
    store.setTrainable(false) { !$0.contains("lora_") }
    XCTAssertNil(store[a].grad)
    XCTAssertNotNil(store[l].grad)
    for i in 0..<6 { store.grads[i] = 1 }
    AdamW(store: store, config: AdamWConfig(lr: 0.1)).update()
    XCTAssertEqual(store[a].toArray(), [1, 1, 1])
    XCTAssertNotEqual(store[l].toArray(), [1, 1, 1])
  }

  func testClipGradNorm() {
    let store = ParameterStore()
    store.declare("a", Shape(2), init: .zeros)
    store.declare("b", Shape(1), init: .zeros)
    store.allocate(seed: 0)
    store.grads[0] = 3
    store.grads[1] = 0
    store.grads[2] = 4
    XCTAssertEqual(store.gradNorm(), 5, accuracy: 1e-6)
    XCTAssertEqual(store.clipGradNorm(1), 5, accuracy: 1e-6)
    XCTAssertEqual(store.gradNorm(), 1, accuracy: 1e-5)
    XCTAssertEqual(store.grads[0] / store.grads[2], 0.75, accuracy: 1e-6)
    XCTAssertEqual(store.clipGradNorm(10), 1, accuracy: 1e-5, "below the limit nothing changes")
  }

  func testEMA() {
    let store = ParameterStore()
    let p = store.declare("p", Shape(1), init: .constant(0))
    store.allocate(seed: 0)
    let ema = EMA(store: store, decay: 0.5)
    store[p][0] = 1
    ema.update()  // 0.5·0 + 0.5·1
    store[p][0] = 2
    ema.update()  // 0.5·0.5 + 0.5·2
    XCTAssertEqual(ema.averaged()[0], 1.25, accuracy: 1e-7)
    ema.swap()
    XCTAssertEqual(store[p][0], 1.25, accuracy: 1e-7)
    ema.swap()
    XCTAssertEqual(store[p][0], 2)
  }

  /// With the warm-up, 1,500 steps leave the initial weights a negligible share of the
  /// average; at a fixed 0.999 they keep 0.999^1500 ≈ 22 % of it.
  func testEMAWarmupForgetsTheInitialisation() {
    XCTAssertEqual(EMA.warmupDecay(step: 0, target: 0.999), 0.1, accuracy: 1e-7)
    XCTAssertEqual(EMA.warmupDecay(step: 100_000, target: 0.999), 0.999)
    var fixed: Double = 1, warm: Double = 1  // the weight the initial value keeps
    for step in 0..<1500 {
      fixed *= 0.999
      warm *= Double(EMA.warmupDecay(step: step, target: 0.999))
    }
    XCTAssertEqual(fixed, 0.223, accuracy: 0.001)
    XCTAssertLessThan(warm, 1e-6)
  }

  func testInitialisersAreSeededAndIndependent() {
    func make(extra: Bool) -> [Float] {
      let s = ParameterStore()
      let w = s.declare("w", Shape(4, 4), init: .normal(std: 1))
      if extra { s.declare("z", Shape(3), init: .normal(std: 1)) }
      s.allocate(seed: 42)
      return s[w].toArray()
    }
    XCTAssertEqual(make(extra: false), make(extra: true), "declaring another parameter changed w's init")
  }

  /// DiT's 2-D sin-cos table, against values worked out by hand: token t = y·grid + x holds
  /// [sin(x·ω) | cos(x·ω) | sin(y·ω) | cos(y·ω)] with ω_k = 10000^(−k/(C/4)).
  func testSinCos2DPositions() {
    let s = ParameterStore()
    let p = s.declare("pos", Shape(16, 8), init: .sinCos2D(grid: 4), trainable: false)
    s.allocate(seed: 0)
    let v = s[p].toArray()  // (16, 8); C/4 = 2 frequencies: ω = 1, 0.01
    XCTAssertEqual(Array(v[0..<8]), [0, 0, 1, 1, 0, 0, 1, 1])  // token 0: x = y = 0
    let t6 = Array(v[48..<56])  // token 6: x = 2, y = 1
    let expected: [Float] = [sin(2), sin(0.02), cos(2), cos(0.02), sin(1), sin(0.01), cos(1), cos(0.01)]
    for (a, b) in zip(t6, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    XCTAssertNil(s[p].grad, "a fixed table carries no gradient")
  }
}
