import Engine
import Foundation
import Imaging
import TestSupport
import Trainer
import World
import XCTest

/// The object-paste view: the object survives the trip, its ground and place do not.
final class ObjectPasteTests: XCTestCase {
  /// A red square on plain blue: the pasted view has the square's colour on a new flat ground,
  /// about s² times as many object pixels, and the same stream gives the same view.
  func testPasteKeepsTheObjectAndChangesItsGround() throws {
    let S = 32
    let scene = Renderer.render(try Prompt.parse("large red square on blue"), size: S, seed: 3)
    let src = scene.image.planarSigned()  // (3, S, S)
    let plane = S * S
    func objectPixels(_ x: [Float], ground: SIMD3<Float>) -> (count: Int, mean: SIMD3<Float>) {
      var n = 0, sum = SIMD3<Float>(0, 0, 0)
      for i in 0..<plane {
        let c = SIMD3(x[i], x[plane + i], x[2 * plane + i])
        let d = c - ground
        if (d * d).sum().squareRoot() > 0.5 { n += 1; sum += c }
      }
      return (n, n > 0 ? sum / Float(n) : sum)
    }
    let originalGround = SIMD3(src[0], src[plane], src[2 * plane])  // a corner is background
    let original = objectPixels(src, ground: originalGround)
    XCTAssertGreaterThan(original.count, 20)
    var compared = 0
    for trial in 0..<20 {
      var r = RNG(seed: UInt64(trial)), again = RNG(seed: UInt64(trial))
      var out = [Float](repeating: 9, count: 3 * plane), twin = out
      let ok = src.withUnsafeBufferPointer { s in
        out.withUnsafeMutableBufferPointer { ObjectPaste.view(s, size: S, scale: [1, 1], flip: 0.5, rng: &r, into: $0) }
      }
      _ = src.withUnsafeBufferPointer { s in
        twin.withUnsafeMutableBufferPointer { ObjectPaste.view(s, size: S, scale: [1, 1], flip: 0.5, rng: &again, into: $0) }
      }
      XCTAssertTrue(ok)
      XCTAssertEqual(out, twin, "deterministic in the stream")
      let ground = SIMD3(out[0], out[plane], out[2 * plane])  // the object sits in the middle half
      let pasted = objectPixels(out, ground: ground)
      let d = ground - originalGround
      guard (d * d).sum().squareRoot() > 0.6 else { continue }  // a ground too close to blue hides nothing here
      XCTAssertEqual(Double(pasted.count), Double(original.count), accuracy: 0.3 * Double(original.count), "trial \(trial)")
      let e = pasted.mean - original.mean
      XCTAssertLessThan((e * e).sum().squareRoot(), 0.35, "the object keeps its colour, trial \(trial)")
      compared += 1
    }
    XCTAssertGreaterThanOrEqual(compared, 10, "most new grounds differ enough from blue to compare")
  }

  /// A flat image has no object: the view is refused and `out` is left as it was.
  func testFlatImageHasNothingToPaste() {
    let S = 16
    let src = [Float](repeating: 0.2, count: 3 * S * S)
    var out = [Float](repeating: 7, count: 3 * S * S)
    var r = RNG(seed: 1)
    let ok = src.withUnsafeBufferPointer { s in
      out.withUnsafeMutableBufferPointer { ObjectPaste.view(s, size: S, scale: [0.8, 1.25], flip: 0.5, rng: &r, into: $0) }
    }
    XCTAssertFalse(ok)
    XCTAssertTrue(out.allSatisfy { $0 == 7 })
  }
}
