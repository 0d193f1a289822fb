import Engine
import XCTest

final class ArenaTests: XCTestCase {
  func testAllocationsAreAlignedAndDisjoint() {
    let a = Arena(initialCapacity: 64)
    let p = a.allocate(3), q = a.allocate(5)
    XCTAssertEqual(Int(bitPattern: p) % 64, 0)
    XCTAssertEqual(Int(bitPattern: q) % 64, 0)
    XCTAssertGreaterThanOrEqual(q - p, 3)
  }

  func testGrowsOnceThenSettles() {
    let a = Arena(initialCapacity: 16)
    for _ in 0..<10 { _ = a.allocate(100) }  // step 1 outgrows the first chunk repeatedly
    let mallocsAfterFirstStep = a.systemAllocations
    a.reset()
    let mallocsAfterFold = a.systemAllocations
    XCTAssertGreaterThan(mallocsAfterFirstStep, 1)
    for _ in 0..<5 {
      for _ in 0..<10 { _ = a.allocate(100) }
      a.reset()
    }
    XCTAssertEqual(a.systemAllocations, mallocsAfterFold, "a repeated step must not allocate")
    XCTAssertGreaterThanOrEqual(a.capacity, 10 * 112)
  }

  func testZeroUsedClearsEveryChunk() {
    let a = Arena(initialCapacity: 16)
    let p = a.allocate(16), q = a.allocate(40)
    p.initialize(repeating: 3, count: 16)
    q.initialize(repeating: 4, count: 40)
    a.zeroUsed()
    XCTAssertEqual(p[15], 0)
    XCTAssertEqual(q[39], 0)
  }

  func testGraphStepReusesMemory() {
    // Two identical forward/backward steps: the second must fit in what the first reserved.
    let store = ParameterStore()
    let w = store.declare("w", Shape(8, 8), init: .normal(std: 0.3))
    store.allocate(seed: 1)
    let g = Graph(initialCapacity: 32)
    var grown: [Int] = []
    for _ in 0..<3 {
      g.reset()
      let x = g.constant([Float](repeating: 0.5, count: 64), Shape(8, 8))
      let loss = g.mean(g.gelu(g.linear(g.linear(x, store[w], nil), store[w], nil)))
      g.backward(from: loss)
      grown.append(g.values.systemAllocations + g.grads.systemAllocations)
    }
    XCTAssertEqual(grown[1], grown[2])
  }
}
