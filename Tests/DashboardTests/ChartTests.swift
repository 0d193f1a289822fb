import XCTest
@testable import Dashboard

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
