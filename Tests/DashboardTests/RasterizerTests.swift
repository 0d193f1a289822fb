import Foundation
import Imaging
import RunProtocol
import XCTest
@testable import Dashboard

/// The cell rasterizer, pixel by pixel, on tiny grids and a tiny in-memory font (so these
/// goldens do not depend on the installed Unifont), then a PNG round trip and a whole
/// dashboard drawn with the real font.
final class RasterizerTests: XCTestCase {
  // Black is 16,16,16: direct colour sends pure black as #000008 (XtermPalette nudges values
  // below 8, which xterm-direct would read as ANSI indices), and the picture shows that.
  static let red = RGB8(255, 0, 0), blue = RGB8(0, 0, 255), green = RGB8(0, 255, 0), black = RGB8(16, 16, 16)

  /// 'A' and U+FFFD from Unifont, and a 16×16 '中'.
  static let miniHex = """
    0041:0000000018242442427E424242420000
    FFFD:0000007E665A5A7A76767E76767E0000
    4E2D:01000100010001003FF8210821082108210821083FF821080100010001000100
    """

  func font(_ text: String = miniHex) throws -> BitmapFont { try BitmapFont(hex: Array(text.utf8), name: "mini.hex") }

  func rasterizer(_ theme: Theme = .fallback, mode: ColorMode = .truecolor) throws -> CellRasterizer {
    CellRasterizer(font: try font(), palette: SnapshotPalette(theme: theme, mode: mode))
  }

  /// A drawn image with pixel access.
  struct Picture {
    let width: Int, height: Int
    let bytes: [UInt8]
    subscript(x: Int, y: Int) -> RGB8 {
      let i = 3 * (y * width + x)
      return RGB8(bytes[i], bytes[i + 1], bytes[i + 2])
    }
    /// The set of pixels of colour `c` inside the cell at column `cx` (cell coordinates).
    func pixels(of c: RGB8, cell cx: Int = 0) -> Set<[Int]> {
      var out = Set<[Int]>()
      for y in 0..<16 { for x in 0..<8 where self[cx * 8 + x, y] == c { out.insert([x, y]) } }
      return out
    }
  }

  func draw(_ cells: [Cell], _ r: CellRasterizer) -> Picture {
    Picture(width: cells.count * 8, height: 16, bytes: r.pixels(cells: cells, width: cells.count, height: 1))
  }

  func testUpperHalfBlockIsForegroundOverBackground() throws {
    let p = draw([Cell("▀", Style(fg: .rgb(255, 0, 0), bg: .rgb(0, 0, 255)))], try rasterizer())
    for y in 0..<16 {
      for x in 0..<8 { XCTAssertEqual(p[x, y], y < 8 ? Self.red : Self.blue, "(\(x), \(y))") }
    }
  }

  func testBlockElementsFromTheirDefinitions() throws {
    let style = Style(fg: .rgb(255, 0, 0), bg: .rgb(0, 0, 255))
    let p = draw(["▂", "▌", "▞", "▒"].map { Cell($0, style) }, try rasterizer())
    // ▂ lower quarter: the bottom 4 rows.
    XCTAssertEqual(p.pixels(of: Self.red, cell: 0), Set((12..<16).flatMap { y in (0..<8).map { [$0, y] } }))
    // ▌ left half: columns 0–3.
    XCTAssertEqual(p.pixels(of: Self.red, cell: 1), Set((0..<16).flatMap { y in (0..<4).map { [$0, y] } }))
    // ▞ upper right and lower left quadrants.
    XCTAssertEqual(p.pixels(of: Self.red, cell: 2),
                   Set((0..<8).flatMap { y in (4..<8).map { [$0, y] } } + (8..<16).flatMap { y in (0..<4).map { [$0, y] } }))
    // ▒ medium shade: every pixel halfway between the colours.
    XCTAssertEqual(p.pixels(of: RGB8(128, 0, 128), cell: 3).count, 128)
  }

  func testBrailleDotsFollowUnicodeBitOrder() throws {
    let style = Style(fg: .rgb(0, 255, 0), bg: .rgb(16, 16, 16))
    // ⡇ = U+2847: dots 1, 2, 3 and 7, the whole left column; ⠈ = U+2808: dot 4, top right.
    let p = draw([Cell("⡇", style), Cell("⠈", style)], try rasterizer())
    let left = Set([1, 5, 9, 13].flatMap { y in [[1, y], [2, y], [1, y + 1], [2, y + 1]] })
    XCTAssertEqual(p.pixels(of: Self.green, cell: 0), left)
    XCTAssertEqual(p.pixels(of: Self.green, cell: 1), [[5, 1], [6, 1], [5, 2], [6, 2]])
    // Dot 8 (bit 7) is the bottom right.
    let q = draw([Cell("\u{2880}", style)], try rasterizer())
    XCTAssertEqual(q.pixels(of: Self.green), [[5, 13], [6, 13], [5, 14], [6, 14]])
  }

  func testReverseSwapsForegroundAndBackground() throws {
    let p = draw([Cell("A", Style(fg: .rgb(255, 0, 0), bg: .rgb(0, 0, 255), attrs: .reverse))], try rasterizer())
    // The glyph's pixels (row 4 is ...XX...) take the background colour, the rest the foreground.
    XCTAssertEqual(p[3, 4], Self.blue)
    XCTAssertEqual(p[4, 4], Self.blue)
    XCTAssertEqual(p[0, 0], Self.red)
    XCTAssertEqual(p.pixels(of: Self.blue).count, 24)  // the 24 set pixels of 'A'
  }

  func testWideGlyphCoversTwoCells() throws {
    let wide = Cell("中", Style(fg: .rgb(0, 255, 0), bg: .rgb(16, 16, 16)))
    let hidden = Cell("A", Style(fg: .rgb(255, 0, 0), bg: .rgb(255, 0, 0)))
    let p = draw([wide, hidden, Cell("A", Style(fg: .rgb(255, 0, 0), bg: .rgb(0, 0, 255)))], try rasterizer())
    // Row 4 of 中 is 0x3FF8: pixels 2…12 over both cells; the hidden cell's red never shows.
    XCTAssertEqual((0..<16).map { p[$0, 4] == Self.green }, (0..<16).map { (2...12).contains($0) })
    XCTAssertTrue(p.pixels(of: Self.red, cell: 1).isEmpty)
    // The third cell is drawn normally.
    XCTAssertEqual(p[16 + 3, 4], Self.red)
    XCTAssertEqual(p[16, 0], Self.blue)
  }

  func testOneCellCharacterWithAWideGlyphIsSqueezed() throws {
    XCTAssertEqual(CellRasterizer.squeezed(0xC003), 0x8100)
    XCTAssertEqual(CellRasterizer.squeezed(0x0004), 0x0200)
    // ✓ is one cell wide in the grid but 16 px in Unifont: it stays inside its cell.
    let hex = Self.miniHex + "\n2713:0000000000000000000000040008001040204040208021001200140008000000"
    let r = CellRasterizer(font: try font(hex), palette: SnapshotPalette(theme: .fallback, mode: .truecolor))
    let style = Style(fg: .rgb(0, 255, 0), bg: .rgb(16, 16, 16))
    let p = Picture(width: 16, height: 16, bytes: r.pixels(cells: [Cell("✓", style), Cell(" ", style)], width: 2, height: 1))
    XCTAssertFalse(p.pixels(of: Self.green, cell: 0).isEmpty)
    XCTAssertTrue(p.pixels(of: Self.green, cell: 1).isEmpty)
  }

  func testMissingCharacterDrawsTheReplacementGlyph() throws {
    let style = Style(fg: .rgb(0, 255, 0), bg: .rgb(16, 16, 16))
    let p = draw([Cell("B", style), Cell("\u{FFFD}", style)], try rasterizer())
    XCTAssertEqual(p.pixels(of: Self.green, cell: 0), p.pixels(of: Self.green, cell: 1))
    XCTAssertFalse(p.pixels(of: Self.green, cell: 0).isEmpty)
    // Without U+FFFD in the font: a hollow box.
    let r = CellRasterizer(font: try font("0041:0000000018242442427E424242420000"),
                           palette: SnapshotPalette(theme: .fallback, mode: .truecolor))
    let q = draw([Cell("B", style)], r)
    XCTAssertEqual(q[1, 2], Self.green)
    XCTAssertEqual(q[1, 8], Self.green)
    XCTAssertEqual(q[3, 8], Self.black)
  }

  func testBoldDimAndUnderline() throws {
    let r = try rasterizer()
    let plain = draw([Cell("A", Style(fg: .rgb(255, 0, 0), bg: .rgb(16, 16, 16)))], r)
    let bold = draw([Cell("A", Style(fg: .rgb(255, 0, 0), bg: .rgb(16, 16, 16), attrs: .bold))], r)
    // Row 4 ...XX... becomes ...XXX.. when double-struck.
    XCTAssertEqual(plain[5, 4], Self.black)
    XCTAssertEqual(bold[5, 4], Self.red)
    let dim = draw([Cell("A", Style(fg: .rgb(200, 100, 0), bg: .rgb(0, 0, 100), attrs: .dim))], r)
    XCTAssertEqual(dim[3, 4], RGB8(100, 50, 50))
    XCTAssertEqual(dim[0, 0], RGB8(0, 0, 100))
    let under = draw([Cell(" ", Style(fg: .rgb(255, 0, 0), bg: .rgb(16, 16, 16), attrs: .underline))], r)
    XCTAssertEqual(under.pixels(of: Self.red), Set((0..<8).map { [$0, 14] }))
  }

  func testDefaultColoursAndColourDepth() throws {
    let cells = [Cell("A", Style())]
    // The default theme leaves the background to the terminal: #1c1c1c; text is the theme's.
    let dark = draw(cells, try rasterizer(.fallback))
    XCTAssertEqual(dark[0, 0], RGB8(0x1c, 0x1c, 0x1c))
    XCTAssertEqual(dark[3, 4], RGB8(0xc8, 0xcc, 0xd4))
    // A light theme paints its own background.
    XCTAssertEqual(draw(cells, try rasterizer(ThemeLibrary.light))[0, 0], RGB8(0xfa, 0xfa, 0xfa))
    // Mono: both defaults are the terminal's.
    XCTAssertEqual(draw(cells, try rasterizer(ThemeLibrary.mono))[3, 4], RGB8(0xd0, 0xd0, 0xd0))
    // 256 colours: the xterm cube colour the terminal would show; none: the defaults.
    let colored = [Cell(" ", Style(bg: .rgb(0x61, 0xaf, 0xef)))]
    let (cr, cg, cb) = XtermPalette.rgb(ofIndex: XtermPalette.index256(0x61, 0xaf, 0xef))
    XCTAssertEqual(draw(colored, try rasterizer(mode: .xterm256))[0, 0], RGB8(cr, cg, cb))
    XCTAssertEqual(draw(colored, try rasterizer(mode: .none))[0, 0], RGB8(0x1c, 0x1c, 0x1c))
    // Palette entries under 24-bit colour take xterm's defaults.
    XCTAssertEqual(draw([Cell(" ", Style(bg: .palette(9)))], try rasterizer())[0, 0], RGB8(255, 0, 0))
  }

  func testPNGRoundTripKeepsEveryPixel() throws {
    var grid = CellGrid(width: 6, height: 2)
    grid.text(0, 0, "A▀⡇▞░", Style(fg: .rgb(250, 10, 20), bg: .rgb(3, 40, 200)))
    grid.text(0, 1, "AAA", Style(fg: .rgb(1, 2, 3), bg: .default, attrs: [.bold, .underline]))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("raster-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("grid.png").path
    let written = try ScreenSnapshot.writePNG(grid, theme: .fallback, mode: .truecolor, font: try font(), to: path)
    XCTAssertEqual(written, ScreenSnapshot.Written(path: path, pixelWidth: 48, pixelHeight: 32, columns: 6, rows: 2))
    let back = try PNG.read(path: path)
    XCTAssertEqual(back.width, 48)
    XCTAssertEqual(back.height, 32)
    XCTAssertEqual(back.rgbBytes(), try rasterizer().pixels(cells: grid.cells, width: 6, height: 2))
    // Written through a temporary name and a rename: nothing else is left behind.
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["grid.png"])
  }

  func testFreeNameCountsUpWhenTaken() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("snapname-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    XCTAssertEqual(ScreenSnapshot.freeName(in: dir, iteration: 7), "snapshot-7")
    FileManager.default.createFile(atPath: dir + "/snapshot-7.ans", contents: Data())
    XCTAssertEqual(ScreenSnapshot.freeName(in: dir, iteration: 7), "snapshot-7-2")
  }

  func testWholeDashboardWithTheRealFont() throws {
    guard FileManager.default.fileExists(atPath: BitmapFont.defaultPath) else {
      throw XCTSkip("\(BitmapFont.defaultPath) is missing (apt-get install unifont)")
    }
    let font = try BitmapFont.load()
    let events = SyntheticRun(iterations: 20, totalIterations: 30, thumbnailSize: 16, finished: true).events()
    let grid = ScreenSnapshot.finalScreen(events: events, size: TerminalSize(width: 100, height: 30),
                                          themes: ThemeLibrary.builtins, themeIndex: 0, mode: .truecolor)
    XCTAssertTrue(grid.row(0).contains("grpotop"), grid.row(0))
    let r = CellRasterizer(font: font, palette: SnapshotPalette(theme: .fallback, mode: .truecolor))
    let image = r.image(grid)
    XCTAssertEqual(image.width, 800)
    XCTAssertEqual(image.height, 480)
    // The status bar's background is the theme's.
    let bytes = image.rgbBytes()
    XCTAssertEqual(RGB8(bytes[0], bytes[1], bytes[2]), RGB8(0x23, 0x27, 0x2e))
  }
}
