import World
import XCTest

/// The prompt stream the pair builders share: rounds of fresh samplers, one side of the split.
final class PromptStreamTests: XCTestCase {
  func testRoundsComeFromSuccessiveSamplersOnOneSide() {
    let base = PromptSampler(seed: 11)
    for heldOut in [false, true] {
      var stream = PromptStream(base, heldOut: heldOut, roundSize: 5)
      let got = (0..<12).map { _ in stream.next() }
      let rounds = (0..<3).map { r -> [Prompt] in
        let s = PromptSampler(seed: 11 &+ UInt64(r) &* 7919, distribution: base.distribution)
        return heldOut ? s.heldOut(count: 5) : s.training(count: 5)
      }
      XCTAssertEqual(got, Array(rounds.joined().prefix(12)))
      XCTAssertTrue(got.allSatisfy { PromptSampler.isHeldOut($0) == heldOut })
    }
  }
}
