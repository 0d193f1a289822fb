// Resampling: weights that sum to one, pixel-centre alignment, exact box averages and a
// near-identity up/down round trip on smooth content.

import Imaging
import XCTest

final class ResizeTests: XCTestCase {
  private let shapes: [(Int, Int)] = [(1, 1), (2, 2), (4, 4), (13, 3), (3, 13), (17, 9), (64, 48)]

  func testConstantImageStaysConstant() {
    let colour = (r: Float(0.2), g: Float(0.55), b: Float(0.9))
    for filter in [ResizeFilter.bilinear, .area] {
      for (sw, sh) in [(1, 1), (5, 7), (16, 16), (33, 2)] {
        let source = RGBImage(width: sw, height: sh, fill: colour)
        for (dw, dh) in shapes {
          let out = source.resized(width: dw, height: dh, filter: filter)
          XCTAssertEqual(out.width, dw)
          XCTAssertEqual(out.height, dh)
          for i in 0..<(dw * dh) {
            XCTAssertEqual(out.pixels[3 * i], colour.r, accuracy: 1e-6, "\(filter) \(sw)x\(sh)->\(dw)x\(dh)")
            XCTAssertEqual(out.pixels[3 * i + 1], colour.g, accuracy: 1e-6)
            XCTAssertEqual(out.pixels[3 * i + 2], colour.b, accuracy: 1e-6)
          }
        }
      }
    }
  }

  func testAreaShrinkOfCheckerGivesExactAverages() {
    // 1-pixel black/white checker: every 2x2 block averages to exactly 0.5.
    var checker = RGBImage(width: 4, height: 4)
    for y in 0..<4 { for x in 0..<4 where (x + y) % 2 == 1 { checker[x, y] = SIMD3(1, 1, 1) } }
    let half = checker.resized(width: 2, height: 2, filter: .area)
    XCTAssertEqual(half.pixels, [Float](repeating: 0.5, count: 12))

    // Distinct values per pixel and channel: each output is the mean of its own 2x2 block.
    var ramp = RGBImage(width: 4, height: 4)
    for y in 0..<4 {
      for x in 0..<4 {
        let v = Float(x + 4 * y) / 16
        ramp[x, y] = SIMD3(v, 1 - v, v * v)
      }
    }
    let shrunk = ramp.resized(width: 2, height: 2, filter: .area)
    for by in 0..<2 {
      for bx in 0..<2 {
        var sum = SIMD3<Float>.zero
        for dy in 0..<2 { for dx in 0..<2 { sum += ramp[2 * bx + dx, 2 * by + dy] } }
        let got = shrunk[bx, by]
        for c in 0..<3 { XCTAssertEqual(got[c], sum[c] / 4, accuracy: 1e-7, "block (\(bx), \(by))") }
      }
    }
  }

  func testAreaWithFractionalRatioUsesCoverageWeights() {
    // 3 -> 2: output 0 covers [0, 1.5), output 1 covers [1.5, 3).
    let row = RGBImage(width: 3, height: 1, pixels: [0.0, 0, 0, 0.6, 0, 0, 0.9, 0, 0])
    let out = row.resized(width: 2, height: 1, filter: .area)
    XCTAssertEqual(out.pixels[0], (0.0 + 0.5 * 0.6) / 1.5, accuracy: 1e-6)
    XCTAssertEqual(out.pixels[3], (0.5 * 0.6 + 0.9) / 1.5, accuracy: 1e-6)
  }

  func testBilinearUsesPixelCentres() {
    // Source centres sit at 0 and 1; enlarging 2 -> 4 samples at -0.25, 0.25, 0.75, 1.25.
    let row = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 1, 1, 1])
    let wide = row.resized(width: 4, height: 1)
    XCTAssertEqual(wide.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element), [0, 0.25, 0.75, 1])
    // Shrinking 4 -> 2 samples at 0.5 and 2.5: the mean of each neighbouring pair.
    let four = RGBImage(width: 1, height: 4, pixels: [0.0, 0, 0, 0.2, 0, 0, 0.6, 0, 0, 1, 0, 0])
    let tall = four.resized(width: 1, height: 2)
    XCTAssertEqual(tall.pixels[0], 0.1, accuracy: 1e-6)
    XCTAssertEqual(tall.pixels[3], 0.8, accuracy: 1e-6)
  }

  func testUpThenDownIsNearIdentityForSmoothImage() {
    let smooth = smoothImage(width: 24, height: 16)
    let up = smooth.resized(width: 96, height: 64, filter: .bilinear)
    let back = up.resized(width: 24, height: 16, filter: .area)
    var worst: Float = 0
    // Skip the outermost ring: clamping at the border is a (correct) deviation from linearity.
    for y in 1..<15 {
      for x in 1..<23 {
        let d = back[x, y] - smooth[x, y]
        worst = max(worst, d.replacing(with: -d, where: d .< 0).max())
      }
    }
    // Theory: the four 4x samples per source pixel sit at offsets ±1/8 and ±3/8, so the round
    // trip is f + f''/8 per axis; the 16-pixel wave (amplitude 0.4) gives 0.4 (2π/16)² / 8 ≈ 0.0077.
    // A half-pixel misalignment would add a first-order error near 0.02 and fail this bound.
    XCTAssertLessThan(worst, 0.009)
  }

  func testOutputStaysWithinInputRangeAtOddSizes() {
    var rng = SplitMix64(seed: 11)
    let source = randomByteImage(width: 257, height: 131, rng: &rng)
    for filter in [ResizeFilter.bilinear, .area] {
      for (dw, dh) in [(64, 33), (300, 7), (1, 131), (258, 1)] {
        let out = source.resized(width: dw, height: dh, filter: filter)
        XCTAssertEqual(out.pixels.count, dw * dh * 3)
        XCTAssertTrue(out.pixels.allSatisfy { $0 >= -1e-6 && $0 <= 1 + 1e-6 }, "\(filter) \(dw)x\(dh)")
      }
    }
  }

  func testSameSizeIsIdentity() {
    var rng = SplitMix64(seed: 12)
    let image = randomByteImage(width: 7, height: 5, rng: &rng)
    XCTAssertEqual(image.resized(width: 7, height: 5), image)
    XCTAssertEqual(image.resized(width: 7, height: 5, filter: .area), image)
    // One axis unchanged: the other axis alone is resampled, the unchanged axis passes through.
    let column = image.resized(width: 7, height: 1, filter: .area)
    for x in 0..<7 {
      var mean = SIMD3<Float>.zero
      for y in 0..<5 { mean += image[x, y] }
      for c in 0..<3 { XCTAssertEqual(column[x, 0][c], mean[c] / 5, accuracy: 1e-6) }
    }
  }

  /// Low-frequency colour waves, far below the Nyquist limit of the grid.
  private func smoothImage(width: Int, height: Int) -> RGBImage {
    var image = RGBImage(width: width, height: height)
    for y in 0..<height {
      for x in 0..<width {
        let u = Float(x) / Float(width)
        let v = Float(y) / Float(height)
        image[x, y] = SIMD3(
          0.5 + 0.4 * sin(2 * .pi * u), 0.5 + 0.4 * cos(2 * .pi * v), 0.3 + 0.5 * u * v)
      }
    }
    return image
  }
}
