import Engine
import World
import XCTest

@testable import Trainer

/// The generator's flow-matching batches: prompt dropout for classifier-free guidance.
final class FlowBatchTests: XCTestCase {
  func makeBatch(dropout: Float) -> FlowBatch {
    FlowBatch.make(step: 3, size: 64, imageSize: 16, sampler: PromptSampler(seed: 5), rng: RNG(seed: 9), promptDropout: dropout)
  }

  /// Rows with an all-zero mask are the null prompt; their images and targets are untouched.
  func testPromptDropoutMasksAboutItsShareOfRows() {
    let L = Tokenizer.maxTokens
    func nullRows(_ b: FlowBatch) -> Int { (0..<64).filter { r in (0..<L).allSatisfy { b.mask[r * L + $0] == 0 } }.count }
    XCTAssertEqual(nullRows(makeBatch(dropout: 0)), 0, "every real prompt has at least one token")
    let dropped = makeBatch(dropout: 0.5)
    let n = nullRows(dropped)
    XCTAssertGreaterThan(n, 16, "half of 64 rows should be dropped, got \(n)")
    XCTAssertLessThan(n, 48, "half of 64 rows should be dropped, got \(n)")
    XCTAssertTrue(dropped.tokens.indices.allSatisfy { dropped.mask[$0] != 0 || dropped.tokens[$0] == 0 }, "null rows hold padding ids")
  }
}
