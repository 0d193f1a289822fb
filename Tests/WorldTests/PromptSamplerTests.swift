import Engine
import Imaging
import World
import XCTest

final class PromptSamplerTests: XCTestCase {
  func testDeterministicBySeed() {
    let a = PromptSampler(seed: 42)
    let b = PromptSampler(seed: 42)
    XCTAssertEqual(a.training(count: 300), b.training(count: 300))
    XCTAssertEqual(a.heldOut(count: 100), b.heldOut(count: 100))
    XCTAssertNotEqual(a.training(count: 300), PromptSampler(seed: 43).training(count: 300))
    // A longer draw extends a shorter one: the first prompts do not depend on the count.
    XCTAssertEqual(Array(a.training(count: 500).prefix(300)), a.training(count: 300))
  }

  func testSplitIsDisjointAndPairsAreUnseen() {
    let sampler = PromptSampler(seed: 7)
    let training = sampler.training(count: 5000)
    let heldOut = sampler.heldOut(count: 400)
    let trainingTexts = Set(training.map(\.text))
    XCTAssertTrue(trainingTexts.isDisjoint(with: heldOut.map(\.text)))
    XCTAssertEqual(Set(heldOut.map(\.text)).count, heldOut.count, "held-out prompts are distinct")
    for prompt in training {
      XCTAssertFalse(sampler.isHeldOut(prompt), prompt.text)
      for object in prompt.objects {
        XCTAssertFalse(
          PromptSampler.isHeldOutPair(object.colour, object.shape), "training has \(prompt.text)")
      }
    }
    XCTAssertTrue(heldOut.allSatisfy(PromptSampler.isHeldOut))
    let novel = heldOut.filter {
      $0.objects.contains { PromptSampler.isHeldOutPair($0.colour, $0.shape) }
    }
    XCTAssertEqual(novel.count, heldOut.count / 2)
    // Every unseen pair shows up, and every colour and shape is still seen in training.
    for pair in PromptSampler.heldOutPairs {
      XCTAssertTrue(
        novel.contains {
          $0.objects.contains { $0.colour == pair.colour && $0.shape == pair.shape }
        })
    }
    let trainedColours = Set(training.flatMap { $0.objects.map(\.colour) })
    let trainedShapes = Set(training.flatMap { $0.objects.map(\.shape) })
    XCTAssertEqual(trainedColours.count, Colour.allCases.count)
    XCTAssertEqual(trainedShapes.count, ShapeKind.allCases.count)
    // Other seeds draw other prompts but the split itself is seed-independent.
    for prompt in PromptSampler(seed: 99).heldOut(count: 50) {
      XCTAssertFalse(trainingTexts.contains(prompt.text))
    }
  }

  func testDefaultDistributionShape() {
    let prompts = PromptSampler(seed: 3).training(count: 4000)
    let n = Float(prompts.count)
    let two = Float(prompts.filter { $0.objects.count == 2 }.count) / n
    let withBackground = Float(prompts.filter { $0.background != nil }.count) / n
    let objects = prompts.flatMap(\.objects)
    let positioned = Float(objects.filter { $0.position != nil }.count) / Float(objects.count)
    let single = Float(objects.filter { $0.count == 1 }.count) / Float(objects.count)
    XCTAssertEqual(two, 0.25, accuracy: 0.04)
    XCTAssertEqual(withBackground, 0.33, accuracy: 0.04)
    XCTAssertEqual(positioned, 0.5, accuracy: 0.04)
    XCTAssertEqual(single, 0.7, accuracy: 0.04)
    XCTAssertTrue(prompts.allSatisfy { $0.style == nil })
    for p in prompts {
      // Sampled prompts never hide an object in a same-coloured background, never repeat a
      // colour-shape pair, and never put two objects in one named cell.
      if case .plain(let c)? = p.background {
        XCTAssertFalse(p.objects.contains { $0.colour == c })
      }
      if p.objects.count == 2 {
        let (a, b) = (p.objects[0], p.objects[1])
        XCTAssertFalse(a.colour == b.colour && a.shape == b.shape, p.text)
        if let pa = a.position, let pb = b.position { XCTAssertNotEqual(pa, pb, p.text) }
      }
    }
    let styled = PromptSampler(seed: 3, distribution: PromptDistribution(style: 1)).training(
      count: 200)
    XCTAssertTrue(styled.allSatisfy { $0.style != nil })
  }

  func testStableHashIsFixed() {
    // The split depends on this hash; a change would silently move prompts across the split.
    XCTAssertEqual(StableHash.fnv1a64(""), StableHash.fnv1a64(""))
    XCTAssertEqual(StableHash.fnv1a64("red circle"), 7_847_852_951_078_855_076)
    XCTAssertNotEqual(StableHash.fnv1a64("red circle"), StableHash.fnv1a64("red circles"))
  }
}
