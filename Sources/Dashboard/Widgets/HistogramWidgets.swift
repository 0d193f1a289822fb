import RunProtocol

// Histograms in cells. The bars use eighth blocks (▁…█) so a bar's top has eight levels per
// row; the heat strip is TensorBoard's "offset" histogram turned into a heat map (x =
// iteration, y = bin, colour = share of the group), two bins a row with ▀ in colour and a
// density ramp without.

/// Histogram bars and the histogram-over-time heat strip.
public enum HistogramWidgets {
  static let eighths: [Unicode.Scalar] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
  /// Glyphs from empty to full for terminals without colour.
  public static let ramp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

  /// Merges adjacent bins so there are at most `n` of them (counts add up).
  public static func rebin(_ counts: [Int], to n: Int) -> [Int] {
    guard n > 0, counts.count > n else { return counts }
    var out = [Int](repeating: 0, count: n)
    for (i, c) in counts.enumerated() { out[i * n / counts.count] += c }
    return out
  }

  /// Vertical bars, one or more columns per bin, the tallest bin filling the rect's height.
  /// `color(i)` gives bin i's colour; ASCII mode draws "#" in whole cells.
  public static func bars(into grid: inout CellGrid, rect: Rect, counts raw: [Int], mode: ChartMode,
                          background: CellColor, color: (Int, Int) -> CellColor) {
    guard rect.width > 0, rect.height > 0, !raw.isEmpty else { return }
    let counts = rebin(raw, to: rect.width)
    let top = max(1, counts.max() ?? 1)
    let colsPerBin = max(1, rect.width / counts.count)
    let used = colsPerBin * counts.count
    let x0 = rect.x + (rect.width - used) / 2
    for (i, c) in counts.enumerated() where c > 0 {
      let st = Style(fg: color(i, counts.count), bg: background)
      let eighthsTall = max(1, Int((Double(c) / Double(top) * Double(rect.height * 8)).rounded()))
      for dx in 0..<colsPerBin {
        let x = x0 + i * colsPerBin + dx
        for r in 0..<rect.height {
          let fill = min(8, eighthsTall - r * 8)
          guard fill > 0 else { break }
          let glyph: Unicode.Scalar = mode == .ascii ? (fill >= 4 ? "#" : (r == 0 ? "_" : " ")) : eighths[fill]
          grid.put(x, rect.maxY - 1 - r, glyph, st)
        }
      }
    }
  }

  /// The heat strip: histograms (oldest first) across the rect, bins from high (top) to low.
  /// With colour, each row shows two bins with ▀ (fg upper, bg lower); without, one bin a row
  /// as a density ramp. Empty bins keep the background so the strip stays quiet.
  public static func heatStrip(into grid: inout CellGrid, rect: Rect, histograms: [Histogram], xRange: ClosedRange<Double>,
                               colored: Bool, background: CellColor, heat: (Double) -> CellColor) {
    guard rect.width > 0, rect.height > 0, !histograms.isEmpty else { return }
    let binsPerRow = colored ? 2 : 1
    let rows = rect.height * binsPerRow
    let span = max(xRange.upperBound - xRange.lowerBound, 1e-9)
    // The latest histogram at or before each column's iteration.
    var j = 0
    for cx in 0..<rect.width {
      let xEnd = xRange.lowerBound + span * Double(cx + 1) / Double(rect.width)
      let xStart = xRange.lowerBound + span * Double(cx) / Double(rect.width)
      while j + 1 < histograms.count && Double(histograms[j + 1].iteration) < xEnd { j += 1 }
      let h = histograms[j]
      // Nothing yet at this column, or the nearest histogram is too old to stand for it.
      guard Double(h.iteration) < xEnd, Double(h.iteration) >= xStart - max(1, span / Double(rect.width)) else { continue }
      let bins = rebin(h.counts, to: rows)
      let total = max(1, bins.reduce(0, +))
      let peak = Double(max(1, bins.max() ?? 1)) / Double(total)
      func level(_ row: Int) -> Double? {
        // Row 0 is the top, the highest bin.
        let b = bins.count - 1 - row * bins.count / rows
        guard b >= 0, b < bins.count, bins[b] > 0 else { return nil }
        return Double(bins[b]) / Double(total) / peak
      }
      for cy in 0..<rect.height {
        if colored {
          let up = level(cy * 2), down = level(cy * 2 + 1)
          if up == nil && down == nil { continue }
          let fg = up.map(heat) ?? background, bg = down.map(heat) ?? background
          grid.put(rect.x + cx, rect.y + cy, "▀", Style(fg: fg, bg: bg))
        } else if let v = level(cy) {
          let g = ramp[min(ramp.count - 1, max(1, Int((v * Double(ramp.count - 1)).rounded())))]
          grid.put(rect.x + cx, rect.y + cy, g, Style(bg: background))
        }
      }
    }
  }
}
