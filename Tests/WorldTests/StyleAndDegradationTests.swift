import Engine
import Imaging
import World
import XCTest

final class StyleTests: XCTestCase {
  static func contents(size: Int) -> [RGBImage] {
    let texts = [
      "large red star at left and large blue ring at right",
      "two yellow squares on striped",
      "green triangle at top on white",
      "three small purple crosses on gradient",
    ]
    return texts.enumerated().compactMap { k, text in
      (try? Prompt.parse(text)).map { Renderer.render($0, size: size, seed: UInt64(k)).image }
    }
  }

  func testStrengthZeroIsIdentity() {
    for image in StyleTests.contents(size: 32) {
      for style in Style.allCases {
        XCTAssertEqual(style.apply(to: image, strength: 0, seed: 3), image, "\(style)")
      }
    }
  }

  func testDeterministicAndStrengthOrdered() {
    for size in [16, 32] {
      for image in StyleTests.contents(size: size) {
        for style in Style.allCases {
          let full = style.apply(to: image, strength: 1, seed: 9)
          XCTAssertEqual(full, style.apply(to: image, strength: 1, seed: 9), "\(style)")
          XCTAssertEqual(full.width, size)
          XCTAssertTrue(full.pixels.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(style)")
          let half = style.apply(to: image, strength: 0.5, seed: 9)
          let dFull = meanAbsDiff(full, image)
          let dHalf = meanAbsDiff(half, image)
          XCTAssertGreaterThan(dFull, 0.06, "\(style) at \(size) barely changes the image")
          XCTAssertLessThan(dHalf, dFull, "\(style)")
          XCTAssertGreaterThan(dHalf, 0.3 * dFull, "\(style)")
        }
      }
    }
  }

  func testStylesDifferFromEachOther() {
    for size in [16, 32] {
      for image in StyleTests.contents(size: size) {
        let styled = Style.allCases.map { $0.apply(to: image, strength: 1, seed: 1) }
        for i in styled.indices {
          for j in styled.indices where j > i {
            let d = meanAbsDiff(styled[i], styled[j])
            XCTAssertGreaterThan(
              d, 0.06, "\(Style.allCases[i]) vs \(Style.allCases[j]) at \(size): \(d)")
          }
        }
      }
    }
  }

  func testStylesAreDistinctOnSampledContent() {
    // Typical content from the training distribution, both sizes: every style changes the
    // image and no two styles coincide. Pixel-art is the subtlest on plain colour grounds
    // (the palette keeps colour words), hence the lower bound against the original.
    for (k, prompt) in PromptSampler(seed: 2).training(count: 40).enumerated() {
      for size in [16, 32] {
        let image = Renderer.render(prompt, size: size, seed: UInt64(k)).image
        let styled = Style.allCases.map { $0.apply(to: image, strength: 1, seed: UInt64(k)) }
        for (i, a) in styled.enumerated() {
          XCTAssertGreaterThan(meanAbsDiff(a, image), 0.02, "\(Style.allCases[i]): \(prompt.text)")
          for j in (i + 1)..<styled.count {
            XCTAssertGreaterThan(
              meanAbsDiff(a, styled[j]), 0.045,
              "\(Style.allCases[i]) vs \(Style.allCases[j]) at \(size): \(prompt.text)")
          }
        }
      }
    }
  }

  func testSeedMattersOnlyWhereDocumented() {
    let image = StyleTests.contents(size: 32)[0]
    for style in [Style.watercolor, .sketch, .mosaic] {
      XCTAssertNotEqual(
        style.apply(to: image, strength: 1, seed: 1), style.apply(to: image, strength: 1, seed: 2))
    }
    for style in [Style.pixelArt, .popArt, .neon] {
      XCTAssertEqual(
        style.apply(to: image, strength: 1, seed: 1), style.apply(to: image, strength: 1, seed: 2))
    }
  }
}

final class DegradationTests: XCTestCase {
  func testDamageGrowsWithSeverity() {
    for size in [16, 32] {
      for image in StyleTests.contents(size: size) {
        for kind in Degradation.allCases {
          XCTAssertEqual(kind.apply(to: image, severity: 0, seed: 4), image, "\(kind)")
          var previous: Float = 0
          for severity in stride(from: Float(0.2), through: 1, by: 0.2) {
            let damaged = kind.apply(to: image, severity: severity, seed: 4)
            XCTAssertEqual(damaged, kind.apply(to: image, severity: severity, seed: 4))
            let d = meanAbsDiff(damaged, image)
            XCTAssertGreaterThan(d, previous, "\(kind) at severity \(severity), size \(size)")
            previous = d
          }
          XCTAssertGreaterThan(previous, 0.015, "\(kind) at full severity is too mild")
        }
      }
    }
  }

  func testRandomMixes() {
    let image = StyleTests.contents(size: 32)[1]
    var active = [Int](repeating: 0, count: Degradation.allCases.count)
    for seed in 0..<400 {
      let mix = DegradationMix.random(seed: UInt64(seed))
      XCTAssertEqual(mix, DegradationMix.random(seed: UInt64(seed)))
      XCTAssertEqual(mix.severities.count, Degradation.allCases.count)
      for (k, s) in mix.severities.enumerated() {
        XCTAssertTrue(s == 0 || (0.1...1).contains(s))
        if s > 0 { active[k] += 1 }
      }
      if seed < 40 {
        let out = mix.apply(to: image, seed: UInt64(seed))
        XCTAssertEqual(out == image, mix == .clean)
      }
    }
    for count in active { XCTAssertEqual(Float(count) / 400, 0.5, accuracy: 0.1) }
    XCTAssertEqual(DegradationMix.clean.apply(to: image, seed: 1), image)
    XCTAssertEqual(DegradationMix(severities: [0.5])[.blur], 0.5)
    XCTAssertEqual(DegradationMix(severities: [0, 2])[.noise], 1)
  }
}
