import Engine
import XCTest

final class RandomTests: XCTestCase {
  /// The Random123 known-answer vector for Philox4x32-10 with zero counter and key.
  func testPhiloxKnownAnswer() {
    XCTAssertEqual(RNG.philox(counter: 0, key: 0), SIMD4<UInt32>(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8))
  }

  func testSameSeedSameNumbers() {
    var a = RNG(seed: 123), b = RNG(seed: 123)
    XCTAssertEqual(a.normals(100), b.normals(100))
    var c = RNG(seed: 124)
    var d = RNG(seed: 123)
    XCTAssertNotEqual(c.normals(10), d.normals(10))
  }

  func testCounterResumesTheSequence() {
    var a = RNG(seed: 9)
    _ = a.normals(37)
    let saved = a
    let next = a.normals(5)
    var resumed = RNG(seed: saved.key, counter: saved.counter)
    XCTAssertEqual(resumed.normals(5), next)
  }

  func testNormalMoments() {
    var r = RNG(seed: 7)
    let z = r.normals(200_000)
    let mean = z.reduce(0.0) { $0 + Double($1) } / Double(z.count)
    let varc = z.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(z.count) - mean * mean
    XCTAssertEqual(mean, 0, accuracy: 0.01)
    XCTAssertEqual(varc, 1, accuracy: 0.01)
  }

  func testStreamsDiffer() {
    let base = RNG(seed: 1)
    var s0 = base.stream(0), s1 = base.stream(1), s0b = base.stream(0)
    XCTAssertNotEqual(s0.normals(8), s1.normals(8))
    var again = base.stream(0)
    XCTAssertEqual(s0b.normals(8), again.normals(8))
  }

  func testPermutationIsAPermutation() {
    var r = RNG(seed: 3)
    let p = r.permutation(50)
    XCTAssertEqual(p.sorted(), Array(0..<50))
    XCTAssertNotEqual(p, Array(0..<50))
  }
}
