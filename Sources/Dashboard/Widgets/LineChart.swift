import Foundation

// Line charts the way TensorBoard and W&B users expect them, in terminal cells: every dot
// column is an x bucket; the bucket's min–max is a dim band (so spikes survive when many
// iterations share a column), the raw series is drawn dimmed under its debiased EMA, and
// markers are dotted vertical lines with a letter on the axis row.

/// One series of a chart.
public struct ChartSeries: Sendable {
  public var label: String
  public var color: CellColor
  public var xs: [Double]
  public var ys: [Double]
  public init(label: String, color: CellColor, xs: [Double], ys: [Double]) {
    self.label = label
    self.color = color
    self.xs = xs
    self.ys = ys
  }
}

/// A vertical marker at an x value.
public struct ChartMarker: Sendable {
  public var x: Double
  public var color: CellColor
  /// The letter on the axis row ("D" discriminator update, "H" hyperparameter edit).
  public var glyph: Unicode.Scalar
  public init(x: Double, color: CellColor, glyph: Unicode.Scalar) {
    self.x = x
    self.color = color
    self.glyph = glyph
  }
}

/// How a chart is drawn.
public struct ChartOptions: Sendable {
  public var mode: ChartMode = .braille
  /// Debiased EMA weight, 0 for none.
  public var smoothing: Double = 0
  public var logY = false
  public var band = true
  public var xRange: ClosedRange<Double> = 0...1
  public init(mode: ChartMode = .braille, smoothing: Double = 0, logY: Bool = false, band: Bool = true,
              xRange: ClosedRange<Double> = 0...1) {
    self.mode = mode
    self.smoothing = smoothing
    self.logY = logY
    self.band = band
    self.xRange = xRange
  }
}

/// Drawing line charts into a grid.
public enum LineChart {
  /// TensorBoard's debiased EMA: s_n = m_n / (1 − w^k), where k counts finite points, so the
  /// first values are not dragged toward zero; non-finite points pass through untouched.
  public static func ema(_ ys: [Double], weight w: Double) -> [Double] {
    guard w > 0 else { return ys }
    var m = 0.0, k = 0.0
    var out = ys
    for (i, y) in ys.enumerated() where y.isFinite {
      m = m * w + (1 - w) * y
      k += 1
      out[i] = m / (1 - pow(w, k))
    }
    return out
  }

  /// A value on the drawn axis: log10 on log-y (nil for values ≤ 0), else itself.
  @inline(__always)
  static func axis(_ v: Double, _ logY: Bool) -> Double? {
    guard v.isFinite else { return nil }
    if logY { return v > 0 ? log10(v) : nil }
    return v
  }

  /// The y range to draw, in axis units: the visible data padded and rounded outward to a
  /// "nice" step (half decades on log-y), so new points rarely change the scale.
  public static func yRange(_ series: [ChartSeries], options o: ChartOptions) -> ClosedRange<Double>? {
    var lo = Double.infinity, hi = -Double.infinity
    for s in series {
      for (x, y) in zip(s.xs, s.ys) where o.xRange.contains(x) {
        guard let v = axis(y, o.logY) else { continue }
        lo = min(lo, v)
        hi = max(hi, v)
      }
    }
    guard lo.isFinite, hi.isFinite else { return nil }
    if o.logY {
      let a = (lo * 2).rounded(.down) / 2, b = (hi * 2).rounded(.up) / 2
      return a < b ? a...b : (a - 0.5)...(b + 0.5)
    }
    if hi - lo < 1e-12 {
      let pad = max(abs(hi) * 0.1, 1e-3)
      return (lo - pad)...(hi + pad)
    }
    let step = niceStep((hi - lo) / 4)
    return ((lo / step).rounded(.down) * step)...((hi / step).rounded(.up) * step)
  }

  /// 1, 2 or 5 times a power of ten, at least `raw`.
  static func niceStep(_ raw: Double) -> Double {
    let p = pow(10, (log10(raw)).rounded(.down))
    for m in [1.0, 2, 5, 10] where m * p >= raw { return m * p }
    return 10 * p
  }

  /// Draws only the plot area: dots for every series and marker inside `rect`, mapping
  /// `xRange` across its dot columns and `yRange` (axis units) down its dot rows.
  public static func plot(into grid: inout CellGrid, rect: Rect, series: [ChartSeries], markers: [ChartMarker],
                          yRange: ClosedRange<Double>, options o: ChartOptions, background: CellColor = .default) {
    var canvas = DotCanvas(mode: o.mode, cols: rect.width, rows: rect.height)
    guard canvas.width > 0, canvas.height > 0 else { return }
    let x0 = o.xRange.lowerBound, xSpan = max(o.xRange.upperBound - x0, 1e-12)
    let y1 = yRange.upperBound, ySpan = max(yRange.upperBound - yRange.lowerBound, 1e-12)
    let dw = Double(canvas.width - 1), dh = Double(canvas.height - 1)
    @inline(__always) func col(_ x: Double) -> Int { Int(((x - x0) / xSpan * dw).rounded()) }
    @inline(__always) func row(_ v: Double) -> Int { min(max(Int(((y1 - v) / ySpan * dh).rounded()), 0), canvas.height - 1) }

    for m in markers where o.xRange.contains(m.x) {
      canvas.vline(col(m.x), 0, canvas.height - 1, layer: .marker, Style(fg: m.color), every: 2)
    }
    for s in series {
      let smooth = o.smoothing > 0 ? ema(s.ys, weight: o.smoothing) : []
      // Per dot column: min and max of the raw values, and the last raw and smoothed value.
      var bucketLo = [Double](repeating: .infinity, count: canvas.width)
      var bucketHi = [Double](repeating: -.infinity, count: canvas.width)
      var rawPts: [(Int, Double)] = [], smoothPts: [(Int, Double)] = []
      for i in s.xs.indices where o.xRange.contains(s.xs[i]) {
        guard let v = axis(s.ys[i], o.logY) else { continue }
        let c = min(max(col(s.xs[i]), 0), canvas.width - 1)
        bucketLo[c] = min(bucketLo[c], v)
        bucketHi[c] = max(bucketHi[c], v)
        if rawPts.last?.0 == c { rawPts[rawPts.count - 1].1 = v } else { rawPts.append((c, v)) }
        if !smooth.isEmpty, let sv = axis(smooth[i], o.logY) {
          if smoothPts.last?.0 == c { smoothPts[smoothPts.count - 1].1 = sv } else { smoothPts.append((c, sv)) }
        }
      }
      if o.band {
        let dim = Style(fg: s.color, attrs: .dim)
        for c in 0..<canvas.width where bucketHi[c] > bucketLo[c] {
          canvas.vline(c, row(bucketLo[c]), row(bucketHi[c]), layer: .band, dim)
        }
      }
      let rawStyle = smooth.isEmpty ? Style(fg: s.color) : Style(fg: s.color, attrs: .dim)
      let rawLayer: DotCanvas.Layer = smooth.isEmpty ? .line : .raw
      connect(&canvas, rawPts.map { ($0.0, row($0.1)) }, rawLayer, rawStyle)
      if !smoothPts.isEmpty { connect(&canvas, smoothPts.map { ($0.0, row($0.1)) }, .line, Style(fg: s.color, attrs: .bold)) }
    }
    canvas.flush(into: &grid, x: rect.x, y: rect.y, background: background)
  }

  static func connect(_ canvas: inout DotCanvas, _ pts: [(Int, Int)], _ layer: DotCanvas.Layer, _ st: Style) {
    guard let first = pts.first else { return }
    canvas.set(first.0, first.1, layer: layer, st)
    for i in pts.indices.dropFirst() {
      canvas.line(pts[i - 1].0, pts[i - 1].1, pts[i].0, pts[i].1, layer: layer, st)
    }
  }

  /// The cell column of x inside a plot of `width` cells (for the axis-row letters).
  public static func cellColumn(of x: Double, width: Int, options o: ChartOptions) -> Int {
    let (cw, _) = DotCanvas.resolution(o.mode)
    let dots = width * cw
    let x0 = o.xRange.lowerBound, xSpan = max(o.xRange.upperBound - x0, 1e-12)
    return Int(((x - x0) / xSpan * Double(dots - 1)).rounded()) / cw
  }
}
