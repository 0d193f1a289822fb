// PNG decoding and encoding: exact 8-bit round trips, every colour type becoming RGB, alpha
// blending, and one-line errors naming the file for every kind of broken input.

import Foundation
import Imaging
import XCTest

final class PNGTests: XCTestCase {
  private let sizes: [(Int, Int)] = [(1, 1), (2, 3), (3, 2), (7, 5), (31, 17), (64, 64), (129, 3)]

  func testRoundTripIsExactOnEightBitValues() throws {
    var rng = SplitMix64(seed: 1)
    for (width, height) in sizes {
      let image = randomByteImage(width: width, height: height, rng: &rng)
      let decoded = try PNG.decode(PNG.encode(image))
      XCTAssertEqual(decoded.width, width)
      XCTAssertEqual(decoded.height, height)
      XCTAssertEqual(decoded.rgbBytes(), image.rgbBytes(), "\(width)x\(height)")
      XCTAssertEqual(decoded, image, "\(width)x\(height): floats must be exactly k / 255")
    }
  }

  func testEncodeRoundsFloatsToNearestByte() throws {
    let image = RGBImage(width: 1, height: 1, pixels: [0.3, 1.7, -0.2])
    let decoded = try PNG.decode(PNG.encode(image))
    XCTAssertEqual(decoded.rgbBytes(), [77, 255, 0])  // 0.3 * 255 = 76.5 -> 77
  }

  func testOpaqueRGBADecodesToSameRGB() throws {
    var rng = SplitMix64(seed: 2)
    for (width, height) in sizes {
      let image = randomByteImage(width: width, height: height, rng: &rng)
      let bytes = try PNG.encode(image, format: .rgba)
      XCTAssertEqual(bytes[25], 6, "IHDR colour type should be RGBA")
      XCTAssertEqual(try PNG.decode(bytes), image, "\(width)x\(height)")
    }
  }

  func testAlphaIsBlendedOntoWhiteByDefaultAndOntoChosenBackground() throws {
    var rng = SplitMix64(seed: 3)
    let image = randomByteImage(width: 9, height: 4, rng: &rng)
    let alphaBytes = (0..<36).map { k -> UInt8 in k == 0 ? 0 : (k == 1 ? 255 : rng.byte()) }
    let alpha = alphaBytes.map { Float($0) / 255 }
    let bytes = try PNG.encode(image, alpha: alpha)
    let onWhite = try PNG.decode(bytes)
    let onRed = try PNG.decode(bytes, name: "x.png", background: SIMD3(1, 0, 0))
    for i in 0..<36 {
      for c in 0..<3 {
        let v = image.pixels[3 * i + c]
        XCTAssertEqual(onWhite.pixels[3 * i + c], v * alpha[i] + (1 - alpha[i]), accuracy: 1e-6)
        let bg: Float = c == 0 ? 1 : 0
        XCTAssertEqual(onRed.pixels[3 * i + c], v * alpha[i] + bg * (1 - alpha[i]), accuracy: 1e-6)
      }
    }
    XCTAssertEqual(onWhite[0, 0], SIMD3(1, 1, 1), "fully transparent pixel is the background")
    XCTAssertEqual(onWhite[1, 0], image[1, 0], "opaque pixel is unchanged")
  }

  func testGreyDecodesToEqualChannels() throws {
    var rng = SplitMix64(seed: 4)
    for (width, height) in sizes {
      // A grey image survives a grey PNG exactly.
      let levels = (0..<(width * height)).map { _ in rng.byte() }
      let grey = RGBImage(width: width, height: height, rgbBytes: levels.flatMap { [$0, $0, $0] })
      let bytes = try PNG.encode(grey, format: .grey)
      XCTAssertEqual(bytes[25], 0, "IHDR colour type should be grey")
      XCTAssertEqual(try PNG.decode(bytes), grey, "\(width)x\(height)")
    }
    // A colour image becomes its Rec. 601 luma.
    let colour = RGBImage(width: 3, height: 1, rgbBytes: [255, 0, 0, 0, 255, 0, 0, 0, 255])
    let decoded = try PNG.decode(PNG.encode(colour, format: .grey))
    XCTAssertEqual(decoded.rgbBytes(), [76, 76, 76, 150, 150, 150, 29, 29, 29])
  }

  func testPaletteWithTransparencyDecodes() throws {
    let image = try PNG.decode(Fixtures.palette3x2, name: "palette.png")
    XCTAssertEqual(image.width, 3)
    XCTAssertEqual(image.height, 2)
    let red = SIMD3<Float>(1, 0, 0)
    let translucentGreen = SIMD3<Float>(0.8, 200 / 255 * 0.2 + 0.8, 0.8)  // alpha 51 / 255 = 0.2
    let white = SIMD3<Float>(1, 1, 1)
    let expected = [[red, translucentGreen, white], [white, translucentGreen, red]]
    for y in 0..<2 {
      for x in 0..<3 {
        let got = image[x, y]
        for c in 0..<3 {
          XCTAssertEqual(got[c], expected[y][x][c], accuracy: 1e-6, "(\(x), \(y)) channel \(c)")
        }
      }
    }
  }

  func testGreyAlphaSixteenBitAndOneBitDecode() throws {
    let ga = try PNG.decode(Fixtures.greyAlpha2x1)
    XCTAssertEqual(ga[0, 0], SIMD3(repeating: Float(100) / 255))
    let blended = Float(40) / 255 * 0.4 + 0.6
    for c in 0..<3 { XCTAssertEqual(ga[1, 0][c], blended, accuracy: 1e-6) }

    let deep = try PNG.decode(Fixtures.rgb16bit2x1)
    XCTAssertEqual(deep.rgbBytes(), [255, 0, 128, 1, 32, 254], "16-bit is taken as sRGB, scaled to 8")

    let bits = try PNG.decode(Fixtures.grey1bit3x1)
    XCTAssertEqual(bits.rgbBytes(), [255, 255, 255, 0, 0, 0, 255, 255, 255])
  }

  func testTruncatedFilesThrowNamingTheFile() throws {
    let directory = try makeScratchDirectory(for: self)
    var rng = SplitMix64(seed: 5)
    let bytes = try PNG.encode(randomByteImage(width: 16, height: 16, rng: &rng))
    let cuts = [1, 4, 7, 8, 12, 20, 33, 40, 45, bytes.count / 2, bytes.count - 13, bytes.count - 12,
      bytes.count - 5, bytes.count - 1]
    for cut in cuts {
      let path = directory + "/cut\(cut).png"
      try Data(bytes[..<cut]).write(to: URL(fileURLWithPath: path))
      let message = assertImagingError { _ = try PNG.read(path: path) }
      XCTAssertTrue(message.hasPrefix(path + ": "), "cut at \(cut): \(message)")
      XCTAssertTrue(message.contains("truncated"), "cut at \(cut): \(message)")
      let inMemory = assertImagingError { _ = try PNG.decode(Array(bytes[..<cut])) }
      XCTAssertTrue(inMemory.hasPrefix("<memory>: "), inMemory)
    }
    let empty = directory + "/empty.png"
    try Data().write(to: URL(fileURLWithPath: empty))
    XCTAssertEqual(assertImagingError { _ = try PNG.read(path: empty) }, "\(empty): empty file (0 bytes)")
  }

  func testGarbageAndCorruptDataThrow() throws {
    let directory = try makeScratchDirectory(for: self)
    var rng = SplitMix64(seed: 6)
    var garbage = (0..<1000).map { _ in rng.byte() }
    garbage[0] = 0x42
    let path = directory + "/garbage.png"
    try Data(garbage).write(to: URL(fileURLWithPath: path))
    XCTAssertEqual(
      assertImagingError { _ = try PNG.read(path: path) }, "\(path): not a PNG file (bad signature)")

    // A valid signature followed by noise: caught by the chunk walk.
    let noisy = Array(try PNG.encode(RGBImage(width: 2, height: 2))[..<8]) + garbage
    let noisyMessage = assertImagingError { _ = try PNG.decode(noisy, name: "noisy.png") }
    XCTAssertTrue(noisyMessage.hasPrefix("noisy.png: "), noisyMessage)

    // A flipped byte inside IDAT keeps the chunk layout intact, so only libpng notices (CRC).
    var flipped = try PNG.encode(randomByteImage(width: 8, height: 8, rng: &rng))
    let idat = try XCTUnwrap(findChunk("IDAT", in: flipped))
    flipped[idat + 8 + 2] ^= 0xFF
    let crcMessage = assertImagingError { _ = try PNG.decode(flipped, name: "flip.png") }
    XCTAssertTrue(crcMessage.hasPrefix("flip.png: truncated or corrupt PNG (libpng: "), crcMessage)
  }

  func testMissingFileAndDirectoryThrow() throws {
    let directory = try makeScratchDirectory(for: self)
    let missing = directory + "/nope.png"
    XCTAssertEqual(
      assertImagingError { _ = try PNG.read(path: missing) },
      "\(missing): cannot open (No such file or directory)")
    let message = assertImagingError { _ = try PNG.read(path: directory) }
    XCTAssertTrue(message.hasPrefix(directory + ": "), message)
  }

  func testWriteIsAtomicAndReplacesExistingFile() throws {
    let directory = try makeScratchDirectory(for: self)
    var rng = SplitMix64(seed: 7)
    let path = directory + "/sample.png"
    let first = randomByteImage(width: 5, height: 3, rng: &rng)
    try PNG.write(first, to: path)
    XCTAssertEqual(try PNG.read(path: path), first)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["sample.png"])

    let second = randomByteImage(width: 4, height: 6, rng: &rng)
    try PNG.write(second, to: path)
    XCTAssertEqual(try PNG.read(path: path), second)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: directory), ["sample.png"],
      "no temporary file may be left behind")

    // A relative path without a directory component also works (temporary goes beside it).
    let saved = FileManager.default.currentDirectoryPath
    XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(directory))
    defer { _ = FileManager.default.changeCurrentDirectoryPath(saved) }
    try PNG.write(first, to: "plain.png")
    XCTAssertEqual(try PNG.read(path: "plain.png"), first)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
      ["plain.png", "sample.png"])
  }

  func testWriteIntoMissingDirectoryThrowsAndLeavesNothing() throws {
    let directory = try makeScratchDirectory(for: self)
    let path = directory + "/absent/out.png"
    let message = assertImagingError { try PNG.write(RGBImage(width: 2, height: 2), to: path) }
    XCTAssertTrue(message.hasPrefix(path + ": "), message)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
  }

  func testEncodeRejectsBadInput() {
    let empty = assertImagingError { _ = try PNG.encode(RGBImage(width: 0, height: 4)) }
    XCTAssertTrue(empty.hasPrefix("<memory>: "), empty)
    let alpha = assertImagingError {
      _ = try PNG.encode(RGBImage(width: 2, height: 2), alpha: [1, 1, 1])
    }
    XCTAssertTrue(alpha.contains("alpha"), alpha)
  }

  /// Byte offset of the first chunk of the given type, walking the chunk list.
  private func findChunk(_ type: String, in bytes: [UInt8]) -> Int? {
    var offset = 8
    while offset + 8 <= bytes.count {
      let length = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
      if String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self) == type { return offset }
      offset += 12 + length
    }
    return nil
  }
}
