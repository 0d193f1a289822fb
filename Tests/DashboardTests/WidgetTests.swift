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

/// Line charts draw the expected dots, markers and headers into the cell grid.
final class ChartTests: XCTestCase {
  let red = CellColor.rgb(255, 0, 0)

  func diagonal(_ mode: ChartMode, cols: Int, rows: Int, points: Int) -> CellGrid {
    var g = CellGrid(width: cols, height: rows)
    let s = ChartSeries(label: "y", color: red, xs: (0..<points).map(Double.init), ys: (0..<points).map(Double.init))
    let o = ChartOptions(mode: mode, smoothing: 0, logY: false, band: false, xRange: 0...Double(points - 1))
    LineChart.plot(into: &g, rect: g.bounds, series: [s], markers: [], yRange: 0...Double(points - 1), options: o)
    return g
  }

  func testDiagonalDrawsExpectedBrailleDots() {
    // 4×2 cells = 8×8 braille dots; y = x over 0…7 runs from the bottom left to the top right.
    let g = diagonal(.braille, cols: 4, rows: 2, points: 8)
    // Bottom-left cell holds dots (0,7) and (1,6): braille dots 7 and 6 → U+2860.
    XCTAssertEqual(g[0, 1].scalar, "\u{2860}")
    // Top-right cell holds (6,1) and (7,0): dots 2 and 4 → U+280A.
    XCTAssertEqual(g[3, 0].scalar, "\u{280A}")
    XCTAssertEqual(g[0, 0].scalar, " ")
    XCTAssertEqual(g[3, 1].scalar, " ")
    XCTAssertEqual(g[0, 1].style.fg, red)
  }

  func testBlockAndAsciiModes() {
    // 2×2 cells of quadrants = 4×4 dots: the diagonal fills the lower-left and upper-right
    // quadrant of the corner cells ("▖▝" along the anti-diagonal → ▞ in each corner cell).
    let b = diagonal(.block, cols: 2, rows: 2, points: 4)
    XCTAssertEqual(b[0, 1].scalar, "▞")
    XCTAssertEqual(b[1, 0].scalar, "▞")
    XCTAssertEqual(b[1, 1].scalar, " ")
    // ASCII: one column and two rows of dots a cell; a flat line at the top row is "'".
    var g = CellGrid(width: 3, height: 1)
    let flat = ChartSeries(label: "f", color: red, xs: [0, 1, 2], ys: [1, 1, 1])
    LineChart.plot(into: &g, rect: g.bounds, series: [flat], markers: [], yRange: 0...1,
                   options: ChartOptions(mode: .ascii, band: false, xRange: 0...2))
    XCTAssertEqual(g.row(0), "'''")
  }

  func testMarkerLandsInItsColumnOnPlotAndAxis() {
    // 100 iterations over a 50-cell braille plot: 100 dot columns, so iteration 40 is dot
    // column round(40/99·99)=40 → cell 20.
    var g = CellGrid(width: 50, height: 4)
    let o = ChartOptions(mode: .braille, band: false, xRange: 0...99)
    let m = ChartMarker(x: 40, color: .rgb(0, 255, 0), glyph: "D")
    LineChart.plot(into: &g, rect: g.bounds, series: [], markers: [m], yRange: 0...1, options: o)
    for y in 0..<4 {
      XCTAssertNotEqual(g[20, y].scalar, " ", "row \(y)")
      XCTAssertEqual(g[20, y].style.fg, .rgb(0, 255, 0))
      XCTAssertEqual(g[19, y].scalar, " ")
      XCTAssertEqual(g[21, y].scalar, " ")
    }
    // Left dot column of the cell only: braille dots 1 and 3 (every other row) → bits 0x01|0x04.
    XCTAssertEqual(g[20, 0].scalar, "\u{2805}")
    XCTAssertEqual(LineChart.cellColumn(of: 40, width: 50, options: o), 20)

    // The full chart puts the letter on the axis row at the same column of the plot.
    var chart = CellGrid(width: 60, height: 10)
    let s = ChartSeries(label: "r", color: red, xs: (0...99).map(Double.init), ys: (0...99).map { sin(Double($0) / 9) })
    LineChart.draw(into: &chart, rect: chart.bounds, series: [s], markers: [m], options: o, theme: .fallback)
    let axis = (0..<chart.height).last { chart.row($0).contains("D") }
    XCTAssertNotNil(axis)
    if let y = axis {
      let row = Array(chart.row(y).unicodeScalars)
      let dCol = row.firstIndex(of: "D") ?? -1
      // The plot starts after the y gutter; find it from the "it 0" label.
      let plotX = row.firstIndex(of: "i") ?? -1
      XCTAssertEqual(dCol - plotX, LineChart.cellColumn(of: 40, width: 60 - plotX, options: o))
    }
  }

  func testDebiasedEMA() {
    // Debiasing makes the first smoothed value equal the first raw value.
    let s = LineChart.ema([10, 10, 10, 20], weight: 0.9)
    XCTAssertEqual(s[0], 10, accuracy: 1e-9)
    XCTAssertEqual(s[2], 10, accuracy: 1e-9)
    XCTAssertGreaterThan(s[3], 10)
    XCTAssertLessThan(s[3], 15)
    // NaN passes through and does not poison later values.
    let n = LineChart.ema([1, .nan, 1], weight: 0.5)
    XCTAssertTrue(n[1].isNaN)
    XCTAssertEqual(n[2], 1, accuracy: 1e-9)
  }

  func testLogYSkipsNonPositiveAndSpansDecades() {
    let s = ChartSeries(label: "kl", color: red, xs: [0, 1, 2, 3], ys: [0, 1e-4, 1e-3, 1e-2])
    let r = LineChart.yRange([s], options: ChartOptions(logY: true, xRange: 0...3))
    XCTAssertEqual(r?.lowerBound, -4)
    XCTAssertEqual(r?.upperBound, -2)
  }

  func testBandShowsBucketMinMaxDimmed() {
    // Ten points in one dot column: the band spans their min..max, dimmed.
    var g = CellGrid(width: 1, height: 2)
    let xs = [Double](repeating: 0, count: 10) + [1]
    let ys = (0..<10).map { Double($0) / 9 } + [0.5]
    let s = ChartSeries(label: "r", color: red, xs: xs, ys: ys)
    LineChart.plot(into: &g, rect: g.bounds, series: [s], markers: [], yRange: 0...1,
                   options: ChartOptions(mode: .braille, smoothing: 0, band: true, xRange: 0...1))
    // The left dot column is full top to bottom (band), so dots 1,2,3,7 are all set in both cells.
    for y in 0..<2 {
      let bits = g[0, y].scalar.value - 0x2800
      XCTAssertEqual(bits & 0x47, 0x47, "row \(y)")
    }
  }

  func testHeaderShowsLastMinMaxAvg() {
    var g = CellGrid(width: 70, height: 10)
    let s = ChartSeries(label: "r_gen", color: red, xs: [0, 1, 2, 3], ys: [1, 3, 2, 4])
    LineChart.draw(into: &g, rect: g.bounds, series: [s], markers: [], options: ChartOptions(xRange: 0...3), theme: .fallback)
    XCTAssertEqual(g.row(0).trimmingCharacters(in: .whitespaces), "r_gen  last 4  min 1  max 4  avg 2.5")
  }
}
