import RunProtocol
import XCTest
@testable import Dashboard

/// Histogram bars, the heat strip and half-block thumbnails, read back from the grid.
final class WidgetTests: XCTestCase {
  func testHistogramBarHeights() {
    // Three bins in 3×4 cells: 32 eighths of height; counts 0, 4, 8 → 0, 16 and 32 eighths.
    var g = CellGrid(width: 3, height: 4)
    HistogramWidgets.bars(into: &g, rect: g.bounds, counts: [0, 4, 8], mode: .braille, background: .default) { _, _ in .rgb(1, 2, 3) }
    XCTAssertEqual((0..<4).map { g[0, $0].scalar }, [" ", " ", " ", " "])
    XCTAssertEqual((0..<4).map { g[1, $0].scalar }, [" ", " ", "█", "█"])
    XCTAssertEqual((0..<4).map { g[2, $0].scalar }, ["█", "█", "█", "█"])
    XCTAssertEqual(g[2, 0].style.fg, .rgb(1, 2, 3))
    // A partial top uses eighth blocks: 3 of 8 in one row → "▃".
    var h = CellGrid(width: 2, height: 1)
    HistogramWidgets.bars(into: &h, rect: h.bounds, counts: [3, 8], mode: .braille, background: .default) { _, _ in .default }
    XCTAssertEqual(h[0, 0].scalar, "▃")
    XCTAssertEqual(h[1, 0].scalar, "█")
  }

  func testRebinKeepsTotals() {
    XCTAssertEqual(HistogramWidgets.rebin([1, 2, 3, 4, 5, 6], to: 3), [3, 7, 11])
    XCTAssertEqual(HistogramWidgets.rebin([1, 2], to: 5), [1, 2])
  }

  func testHeatStripColoursBinsByShare() {
    // One histogram with all mass in the top bin: the top half of the first row is "high".
    let h = Histogram(iteration: 0, name: "advantages", low: -1, high: 1, counts: [0, 0, 0, 4])
    var g = CellGrid(width: 1, height: 2)
    HistogramWidgets.heatStrip(into: &g, rect: g.bounds, histograms: [h], xRange: 0...1, colored: true, background: .default) { t in
      t > 0.99 ? .rgb(255, 255, 0) : .rgb(0, 0, 0)
    }
    XCTAssertEqual(g[0, 0].scalar, "▀")
    XCTAssertEqual(g[0, 0].style.fg, .rgb(255, 255, 0))
    XCTAssertEqual(g[0, 0].style.bg, .default)
    XCTAssertEqual(g[0, 1].scalar, " ")
  }

  func testThumbnailCellsCarryUpperAndLowerPixels() {
    // A 2×4 image drawn in 2×2 cells: cell (x, y) has fg = pixel (x, 2y), bg = pixel (x, 2y+1).
    var rgb: [UInt8] = []
    for y in 0..<4 { for x in 0..<2 { rgb += [UInt8(10 * x + 50 * y), UInt8(y), UInt8(x)] } }
    let t = Thumbnail(width: 2, height: 4, rgb: rgb)
    var g = CellGrid(width: 2, height: 2)
    ThumbnailWidget.draw(into: &g, rect: g.bounds, thumbnail: t, colored: true, background: .default)
    for cy in 0..<2 {
      for cx in 0..<2 {
        XCTAssertEqual(g[cx, cy].scalar, "▀")
        XCTAssertEqual(g[cx, cy].style.fg, .rgb(UInt8(10 * cx + 100 * cy), UInt8(2 * cy), UInt8(cx)))
        XCTAssertEqual(g[cx, cy].style.bg, .rgb(UInt8(10 * cx + 50 * (2 * cy + 1)), UInt8(2 * cy + 1), UInt8(cx)))
      }
    }
  }

  func testThumbnailAreaAveragesAndFallsBackToRamp() {
    // 4×4 checkerboard of black and white averages to mid grey in one 1×1-cell (1×2 px) view.
    var rgb: [UInt8] = []
    for y in 0..<4 { for x in 0..<4 { let v: UInt8 = (x + y) % 2 == 0 ? 0 : 254; rgb += [v, v, v] } }
    let t = Thumbnail(width: 4, height: 4, rgb: rgb)
    XCTAssertEqual(ThumbnailWidget.resample(t, width: 1, height: 2), [127, 127, 127, 127, 127, 127])
    // Without colour: a density ramp glyph, no colours at all.
    var g = CellGrid(width: 1, height: 1)
    ThumbnailWidget.draw(into: &g, rect: g.bounds, thumbnail: t, colored: false, background: .default)
    XCTAssertTrue(ThumbnailWidget.ramp.contains(g[0, 0].scalar))
    XCTAssertNotEqual(g[0, 0].scalar, "▀")
    XCTAssertEqual(g[0, 0].style.fg, .default)
    let white = Thumbnail(width: 1, height: 2, rgb: [UInt8](repeating: 255, count: 6))
    ThumbnailWidget.draw(into: &g, rect: g.bounds, thumbnail: white, colored: false, background: .default)
    XCTAssertEqual(g[0, 0].scalar, "@")
  }

  func testGridClipsAndRejectsWideCharacters() {
    var g = CellGrid(width: 4, height: 1)
    g.clipped(to: Rect(x: 1, y: 0, width: 2, height: 1)) { g in
      g.text(0, 0, "abcd", Style())
    }
    XCTAssertEqual(g.row(0), " bc ")
    g.put(0, 0, "漢", Style())
    XCTAssertEqual(g[0, 0].scalar, "?")
    g.put(3, 0, "⣿", Style())
    XCTAssertEqual(g[3, 0].scalar, "⣿")
  }
}
