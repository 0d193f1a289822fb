import RunProtocol

// Widgets drawn with block elements, one cell wide in every font: histogram bars, the heat
// strip, half-block thumbnails and sparklines.
//
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

// Images as half blocks: each cell is "▀" with the upper pixel as foreground and the lower as
// background, so a cell shows two square-ish pixels in any font. Without colour, a density ramp
// of the cell's brightness stands in. Thumbnails are area-averaged to the cell grid, so a
// 32×32 sample stays recognisable at 8×4 cells.

/// Drawing RunProtocol thumbnails into the grid.
public enum ThumbnailWidget {
  /// Brightness ramp, dark to light, for terminals without colour.
  public static let ramp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

  /// Area-average (box filter) resample to width × height pixels, RGB bytes; enlarging
  /// repeats pixels.
  public static func resample(_ t: Thumbnail, width: Int, height: Int) -> [UInt8] {
    guard width > 0, height > 0, t.width > 0, t.height > 0, t.rgb.count >= t.width * t.height * 3 else {
      return [UInt8](repeating: 0, count: max(0, width * height * 3))
    }
    if width == t.width && height == t.height { return t.rgb }
    var out = [UInt8](repeating: 0, count: width * height * 3)
    t.rgb.withUnsafeBufferPointer { src in
      for y in 0..<height {
        let sy0 = y * t.height / height, sy1 = max(sy0 + 1, (y + 1) * t.height / height)
        for x in 0..<width {
          let sx0 = x * t.width / width, sx1 = max(sx0 + 1, (x + 1) * t.width / width)
          var r = 0, g = 0, b = 0
          for sy in sy0..<sy1 {
            var i = (sy * t.width + sx0) * 3
            for _ in sx0..<sx1 {
              r += Int(src[i])
              g += Int(src[i + 1])
              b += Int(src[i + 2])
              i += 3
            }
          }
          let n = (sy1 - sy0) * (sx1 - sx0)
          let o = (y * width + x) * 3
          out[o] = UInt8((r + n / 2) / n)
          out[o + 1] = UInt8((g + n / 2) / n)
          out[o + 2] = UInt8((b + n / 2) / n)
        }
      }
    }
    return out
  }

  /// Draws `t` filling `rect`: rect.width × (2 · rect.height) pixels.
  public static func draw(into grid: inout CellGrid, rect: Rect, thumbnail t: Thumbnail, colored: Bool, background: CellColor) {
    guard rect.width > 0, rect.height > 0 else { return }
    let w = rect.width, h = rect.height * 2
    let px = resample(t, width: w, height: h)
    for cy in 0..<rect.height {
      for cx in 0..<w {
        let u = ((cy * 2) * w + cx) * 3, l = ((cy * 2 + 1) * w + cx) * 3
        if colored {
          let up = CellColor.rgb(px[u], px[u + 1], px[u + 2])
          let low = CellColor.rgb(px[l], px[l + 1], px[l + 2])
          grid.put(rect.x + cx, rect.y + cy, "▀", Style(fg: up, bg: low))
        } else {
          let lum = (luminance(px[u], px[u + 1], px[u + 2]) + luminance(px[l], px[l + 1], px[l + 2])) / 2
          let i = min(ramp.count - 1, Int(lum * Double(ramp.count)))
          grid.put(rect.x + cx, rect.y + cy, ramp[i], Style(bg: background))
        }
      }
    }
  }

  /// Rec. 709 luminance in [0, 1].
  static func luminance(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Double {
    (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
  }

  /// The cell size of a thumbnail `width` cells wide that keeps square pixels.
  public static func cells(width: Int) -> (Int, Int) { (width, max(1, (width + 1) / 2)) }
}

/// One-row trend lines of eighth blocks.
enum Sparkline {
  static let blocks: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  static func draw(into g: inout CellGrid, x: Int, y: Int, width: Int, values: [Double], style: Style) {
    let v = values.filter(\.isFinite).suffix(width)
    guard let lo = v.min(), let hi = v.max() else { return }
    for (i, value) in v.enumerated() {
      let t = hi > lo ? (value - lo) / (hi - lo) : 0.5
      g.put(x + i, y, blocks[min(7, max(0, Int((t * 7).rounded())))], style)
    }
  }
}
