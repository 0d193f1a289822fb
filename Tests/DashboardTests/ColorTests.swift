import Foundation
import XCTest
@testable import Dashboard

/// The xterm-256 mapping and colour-depth detection.
final class ColorTests: XCTestCase {
  func testCubeLevelsUseXtermBreakpoints() {
    // 95 is cube level 1 (value 95), not 2 as round(95/51) would say.
    XCTAssertEqual(XtermPalette.cubeLevel(95), 1)
    XCTAssertEqual(XtermPalette.cubeLevel(47), 0)
    XCTAssertEqual(XtermPalette.cubeLevel(48), 1)
    XCTAssertEqual(XtermPalette.cubeLevel(135), 2)
    XCTAssertEqual(XtermPalette.cubeLevel(255), 5)
    // Pure cube colours map to themselves: (95, 135, 255) = 16 + 36·1 + 6·2 + 5 = 69.
    XCTAssertEqual(XtermPalette.index256(95, 135, 255), 69)
    XCTAssertEqual(XtermPalette.index256(0, 0, 0), 16)
    XCTAssertEqual(XtermPalette.index256(255, 255, 255), 231)
    XCTAssertEqual(XtermPalette.index256(255, 0, 0), 196)
  }

  func testGreysGoToTheGreyRamp() {
    // 128 grey is 232 + 12 (value 128) exactly; the cube's nearest (135) is farther.
    XCTAssertEqual(XtermPalette.index256(128, 128, 128), 244)
    XCTAssertEqual(XtermPalette.index256(8, 8, 8), 232)
    XCTAssertEqual(XtermPalette.index256(238, 238, 238), 255)
    for v in stride(from: 20, through: 230, by: 10) {
      let i = XtermPalette.index256(UInt8(v), UInt8(v), UInt8(v))
      let (r, _, _) = XtermPalette.rgb(ofIndex: i)
      XCTAssertLessThanOrEqual(abs(Int(r) - v), 5, "grey \(v) → \(i)")
    }
  }

  func testPaletteRoundTrip() {
    for i in 16...255 {
      let (r, g, b) = XtermPalette.rgb(ofIndex: UInt8(i))
      let back = XtermPalette.index256(r, g, b)
      XCTAssertEqual(XtermPalette.rgb(ofIndex: back).0, r, "index \(i)")
    }
  }

  func testTerminalColorPerMode() {
    XCTAssertEqual(XtermPalette.terminalColor(.rgb(1, 2, 3), mode: .truecolor), 0x010203)
    XCTAssertEqual(XtermPalette.terminalColor(.rgb(0, 0, 1), mode: .truecolor), 8, "values < 8 would read as ANSI colours")
    XCTAssertEqual(XtermPalette.terminalColor(.palette(3), mode: .truecolor), 3)
    XCTAssertEqual(XtermPalette.terminalColor(.rgb(255, 0, 0), mode: .xterm256), 196)
    XCTAssertEqual(XtermPalette.terminalColor(.rgb(255, 0, 0), mode: .ansi16), 9)
    XCTAssertEqual(XtermPalette.terminalColor(.rgb(255, 0, 0), mode: .ansi16, maxColors: 8), 1)
    XCTAssertNil(XtermPalette.terminalColor(.rgb(255, 0, 0), mode: .none))
    XCTAssertNil(XtermPalette.terminalColor(.default, mode: .truecolor))
  }

  func testDetectionOrder() {
    func detect(flag: ColorMode? = nil, _ env: [String: String], colors: Int? = nil, tty: String? = nil) -> ColorMode {
      ColorDetector.detect(flag: flag, environment: env, terminfoColors: colors, ttyPath: tty).mode
    }
    let truecolorEnv = ["COLORTERM": "truecolor", "TERM": "xterm-256color"]
    XCTAssertEqual(detect(flag: .ansi16, truecolorEnv), .ansi16, "the flag wins")
    XCTAssertEqual(detect(["NO_COLOR": "1", "COLORTERM": "truecolor"]), .none, "NO_COLOR beats COLORTERM")
    XCTAssertEqual(detect(truecolorEnv, colors: 256), .truecolor)
    XCTAssertEqual(detect(["TERM": "xterm-direct"], colors: 8), .truecolor, "TERM names beat terminfo")
    XCTAssertEqual(detect(["TERM": "xterm-kitty"], colors: 256), .truecolor)
    XCTAssertEqual(detect(["TERM": "tmux-256color"], colors: 256), .xterm256)
    XCTAssertEqual(detect(["TERM": "xterm"], colors: 8), .ansi16)
    XCTAssertEqual(detect(["TERM": "linux"]), .ansi16)
    XCTAssertEqual(detect(["TERM": "weird"], tty: "/dev/tty2"), .ansi16, "a real console")
    XCTAssertEqual(detect(["TERM": "weird"], tty: "/dev/pts/3"), .none)
    XCTAssertEqual(detect(["TERM": "dumb"], colors: 256), .none)
    XCTAssertEqual(ColorMode(flag: "24bit"), .truecolor)
    XCTAssertNil(ColorMode(flag: "lots"))
  }

  func testDirectCandidates() {
    XCTAssertEqual(ColorDetector.directCandidates(term: "tmux-256color"), ["tmux-direct", "xterm-direct"])
    XCTAssertEqual(ColorDetector.directCandidates(term: "xterm-direct"), ["xterm-direct"])
  }

  func testAnsiDiffWritesOnlyChangedCells() {
    var a = CellGrid(width: 10, height: 2)
    a.text(0, 0, "hello", Style())
    var b = a
    b.put(3, 1, "x", Style(fg: .rgb(255, 0, 0)))
    let bytes = String(decoding: AnsiDiff.bytes(from: a, to: b, mode: .xterm256), as: UTF8.self)
    XCTAssertEqual(bytes, "\u{1B}[2;4H\u{1B}[0;38;5;196mx")
    XCTAssertEqual(AnsiDiff.count(from: b, to: b, mode: .truecolor), 0)
    XCTAssertEqual(AnsiDiff.changedCells(a, b), 1)
  }

  func testSnapshotWritesColouredAndPlainText() throws {
    var g = CellGrid(width: 3, height: 1)
    g.text(0, 0, "ab", Style(fg: .rgb(255, 0, 0)))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("snap-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = try AnsiDiff.writeSnapshot(g, mode: .xterm256, directory: dir, name: "snap")
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "\u{1B}[0;38;5;196mab\u{1B}[0m \u{1B}[0m\n")
    XCTAssertEqual(try String(contentsOfFile: dir + "/snap.txt", encoding: .utf8), "ab\n")
  }
}
