import Foundation
import XCTest
@testable import Dashboard

/// The Unifont .hex parser: golden glyphs from the real file, and one-line errors for a
/// malformed line and a missing file.
final class BitmapFontTests: XCTestCase {
  /// The installed Unifont (Debian package unifont; `make deps` installs it).
  func realFont() throws -> BitmapFont {
    guard FileManager.default.fileExists(atPath: BitmapFont.defaultPath) else {
      throw XCTSkip("\(BitmapFont.defaultPath) is missing (apt-get install unifont)")
    }
    return try BitmapFont.load()
  }

  func testLetterAFromTheRealFile() throws {
    let font = try realFont()
    XCTAssertGreaterThan(font.count, 50_000)
    // unifont.hex: 0041:0000000018242442427E424242420000
    let a = try XCTUnwrap(font.glyph("A"))
    XCTAssertEqual(a.width, 8)
    let expected: [UInt16] = [0x00, 0x00, 0x00, 0x00, 0x18, 0x24, 0x24, 0x42, 0x42, 0x7E, 0x42, 0x42, 0x42, 0x42, 0x00, 0x00]
    XCTAssertEqual((0..<16).map { a.row($0) }, expected.map { $0 << 8 })
    // The apex: row 4 is ...XX... (pixels 3 and 4).
    XCTAssertEqual((0..<8).map { a.pixel($0, 4) }, [false, false, false, true, true, false, false, false])
    // CJK is 16 px wide; the replacement glyph exists.
    XCTAssertEqual(font.glyph("中")?.width, 16)
    XCTAssertNotNil(font.replacement)
  }

  func testParsesBothWidthsAndLaterLinesWin() throws {
    let text = """
      0041:0000000018242442427E424242420000
      4E2D:01000100010001003FF8210821082108210821083FF821080100010001000100

      0041:FF000000000000000000000000000000
      """
    let font = try BitmapFont(hex: Array(text.utf8), name: "mini.hex")
    XCTAssertEqual(font.count, 2)
    XCTAssertEqual(font.glyph("A")?.row(0), 0xFF00)
    let wide = try XCTUnwrap(font.glyph("中"))
    XCTAssertEqual(wide.width, 16)
    XCTAssertEqual(wide.row(4), 0x3FF8)
    XCTAssertNil(font.glyph("B"))
  }

  func testMalformedLineIsAnErrorNamingTheLine() {
    let text = "0041:0000000018242442427E424242420000\n0042:00000000182424\n"
    XCTAssertThrowsError(try BitmapFont(hex: Array(text.utf8), name: "bad.hex")) { error in
      let message = String(describing: error)
      XCTAssertTrue(message.hasPrefix("bad.hex:2: malformed glyph line '0042:00000000182424'"), message)
      XCTAssertTrue(message.contains("32 hex digits"), message)
      XCTAssertTrue(message.contains("64"), message)
    }
    // A non-hex digit inside an otherwise well-shaped line.
    let bad = "0041:0000000018242442427E42424242000G\n"
    XCTAssertThrowsError(try BitmapFont(hex: Array(bad.utf8), name: "g.hex")) { error in
      XCTAssertTrue(String(describing: error).hasPrefix("g.hex:1: malformed"), String(describing: error))
    }
    XCTAssertThrowsError(try BitmapFont(hex: Array("\n\n".utf8), name: "empty.hex")) { error in
      XCTAssertTrue(String(describing: error).contains("no glyphs"), String(describing: error))
    }
  }

  func testMissingFileSaysWhichPackageProvidesIt() {
    let path = "/nonexistent-\(UUID().uuidString)/unifont.hex"
    XCTAssertThrowsError(try BitmapFont.load(path: path)) { error in
      let message = String(describing: error)
      XCTAssertTrue(message.hasPrefix(path + ": no such font file"), message)
      XCTAssertTrue(message.contains("package unifont"), message)
      XCTAssertFalse(message.contains("\n"), message)
    }
  }
}
