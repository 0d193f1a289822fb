// RGBImage layout conversions: planar signed floats for the models, bytes, pixel access, crops.

import Imaging
import XCTest

final class RGBImageTests: XCTestCase {
  func testFillAndSubscript() {
    var image = RGBImage(width: 3, height: 2, fill: (0.1, 0.2, 0.3))
    XCTAssertEqual(image.pixels.count, 18)
    XCTAssertEqual(image[2, 1], SIMD3(0.1, 0.2, 0.3))
    image[1, 1] = SIMD3(0.7, 0.8, 0.9)
    // Row-major (H, W, 3): pixel (1, 1) starts at float 3 * (1 * 3 + 1) = 12.
    XCTAssertEqual(Array(image.pixels[12..<15]), [0.7, 0.8, 0.9])
    XCTAssertEqual(image[1, 1], SIMD3(0.7, 0.8, 0.9))
  }

  func testPlanarSignedLayoutAndRoundTrip() {
    var rng = SplitMix64(seed: 21)
    for (width, height) in [(1, 1), (3, 2), (5, 7), (16, 9)] {
      var image = RGBImage(width: width, height: height)
      for i in 0..<image.pixels.count { image.pixels[i] = rng.unit() }
      let planar = image.planarSigned()
      XCTAssertEqual(planar.count, 3 * width * height)
      for y in 0..<height {
        for x in 0..<width {
          for c in 0..<3 {
            // (3, H, W): channel plane first, then row, then column.
            let signed = planar[c * width * height + y * width + x]
            XCTAssertEqual(signed, image[x, y][c] * 2 - 1, accuracy: 1e-7)
          }
        }
      }
      let back = planar.withUnsafeBufferPointer {
        RGBImage(planarSigned: $0, width: width, height: height)
      }
      XCTAssertEqual(back.width, width)
      XCTAssertEqual(back.height, height)
      for i in 0..<image.pixels.count {
        XCTAssertEqual(back.pixels[i], image.pixels[i], accuracy: 1e-6)
      }
    }
  }

  func testPlanarSignedClampsAndNeutralisesNaN() {
    let planar: [Float] = [2, -3, .nan, 0.5, -1, 1]  // (3, 1, 2)
    let image = planar.withUnsafeBufferPointer { RGBImage(planarSigned: $0, width: 2, height: 1) }
    XCTAssertEqual(image[0, 0], SIMD3(1, 0.5, 0))
    XCTAssertEqual(image[1, 0], SIMD3(0, 0.75, 1))
  }

  func testBytesRoundAndClamp() {
    let image = RGBImage(width: 2, height: 2, pixels: [
      -0.1, 1.2, .nan, 0.5, 0.999, 0.001, 1 / 255, 127.5 / 255, 127.49 / 255, 0, 1, 0.25,
    ])
    XCTAssertEqual(image.rgbBytes(), [0, 255, 128, 128, 255, 0, 1, 128, 127, 0, 255, 64])
    // Every byte survives bytes -> floats -> bytes.
    let all = (0..<255).map { UInt8($0) } + [255, 0, 0]  // 258 bytes = 86 pixels
    let fromBytes = RGBImage(width: 86, height: 1, rgbBytes: all)
    XCTAssertEqual(fromBytes.rgbBytes(), all)
    XCTAssertEqual(fromBytes.pixels[200], 200 / 255)
  }

  func testCroppedCopiesTheRectangle() {
    var rng = SplitMix64(seed: 22)
    let image = randomByteImage(width: 9, height: 7, rng: &rng)
    let crop = image.cropped(x: 2, y: 3, width: 5, height: 4)
    XCTAssertEqual(crop.width, 5)
    XCTAssertEqual(crop.height, 4)
    for y in 0..<4 { for x in 0..<5 { XCTAssertEqual(crop[x, y], image[x + 2, y + 3]) } }
    XCTAssertEqual(image.cropped(x: 0, y: 0, width: 9, height: 7), image)
    XCTAssertEqual(image.cropped(x: 9, y: 7, width: 0, height: 0).pixels, [])
  }

  func testMeanColor() {
    let image = RGBImage(width: 2, height: 1, pixels: [0, 0.5, 1, 1, 0.5, 0])
    XCTAssertEqual(image.meanColor(), SIMD3(0.5, 0.5, 0.5))
    XCTAssertEqual(RGBImage(width: 0, height: 0).meanColor(), .zero)
  }
}
