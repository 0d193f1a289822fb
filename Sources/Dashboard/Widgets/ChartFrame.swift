import Foundation

// The furniture around a plot: a gping-style header per series (last/min/max/avg of what is
// visible), y labels in a left gutter, and an x axis row carrying the iteration range and the
// marker letters. Rows are given up in that order of importance when the panel is short.

/// Summary statistics of a series over the visible x range.
public struct SeriesStats: Equatable, Sendable {
  public var last: Double, min: Double, max: Double, mean: Double
}

extension LineChart {
  /// last/min/max/avg over the points inside `range` (nil when none is finite).
  public static func stats(_ s: ChartSeries, range: ClosedRange<Double>) -> SeriesStats? {
    var lo = Double.infinity, hi = -Double.infinity, sum = 0.0, n = 0.0, last = Double.nan
    for (x, y) in zip(s.xs, s.ys) where range.contains(x) && y.isFinite {
      lo = Swift.min(lo, y)
      hi = Swift.max(hi, y)
      sum += y
      n += 1
      last = y
    }
    guard n > 0 else { return nil }
    return SeriesStats(last: last, min: lo, max: hi, mean: sum / n)
  }

  /// A whole chart in `rect`: headers, y gutter, plot and x axis.
  public static func draw(into grid: inout CellGrid, rect: Rect, series: [ChartSeries], markers: [ChartMarker],
                          options o: ChartOptions, theme: Theme) {
    let text = Style(fg: theme.text, bg: theme.background)
    let muted = Style(fg: theme.muted, bg: theme.background)
    guard rect.height >= 2, rect.width >= 8 else { return }
    let summaries = series.map { LineChart.stats($0, range: o.xRange) }
    if summaries.allSatisfy({ $0 == nil }) {
      grid.centered(rect.y + rect.height / 2, in: rect, "waiting for data…", muted)
      return
    }
    // Header rows: one per series when there is room for a plot of 3 rows under them.
    let perSeries = rect.height >= series.count + 5
    let headerRows = perSeries ? series.count : 1
    if perSeries {
      for (i, s) in series.enumerated() {
        header(&grid, x: rect.x, y: rect.y + i, width: rect.width, s, summaries[i], text: text, muted: muted, bg: theme.background)
      }
    } else {
      var parts: [(String, Style)] = []
      for (i, s) in series.enumerated() {
        if i > 0 { parts.append(("  ", muted)) }
        parts.append((s.label + " ", Style(fg: s.color, bg: theme.background, attrs: .bold)))
        parts.append((summaries[i].map { Format.compact($0.last) } ?? "–", text))
      }
      grid.segments(rect.x, rect.y, parts, maxWidth: rect.width)
    }
    let body = rect.splitTop(headerRows).1
    let axisRow = body.height >= 4
    let plotH = body.height - (axisRow ? 1 : 0)
    guard plotH >= 1, let yr = yRange(series, options: o) else { return }
    // The y gutter holds the top and bottom labels (and the middle one on taller plots).
    let labels = distinctLabels([yr.upperBound, (yr.upperBound + yr.lowerBound) / 2, yr.lowerBound], o.logY)
    let gutter = rect.width >= 36 ? min(7, labels.map(CellWidth.count).max() ?? 0) + 1 : 0
    let plotRect = Rect(x: body.x + gutter, y: body.y, width: body.width - gutter, height: plotH)
    if gutter > 0 {
      let g = Rect(x: body.x, y: body.y, width: gutter - 1, height: plotH)
      grid.rightAligned(g.y, in: g, labels[0], muted)
      if plotH >= 5 { grid.rightAligned(g.y + plotH / 2, in: g, labels[1], muted) }
      if plotH >= 2 { grid.rightAligned(g.maxY - 1, in: g, labels[2], muted) }
    }
    plot(into: &grid, rect: plotRect, series: series, markers: markers, yRange: yr, options: o, background: theme.background)
    if axisRow {
      let y = plotRect.maxY
      let lo = "it \(Int(o.xRange.lowerBound))", hi = "\(Int(o.xRange.upperBound))"
      grid.text(plotRect.x, y, lo, muted, maxWidth: plotRect.width)
      grid.rightAligned(y, in: plotRect, hi, muted)
      for m in markers where o.xRange.contains(m.x) {
        let c = cellColumn(of: m.x, width: plotRect.width, options: o)
        grid.put(plotRect.x + c, y, m.glyph, Style(fg: m.color, bg: theme.background, attrs: .bold))
      }
    }
  }

  /// A y label: the value, or 10^value on log-y.
  static func label(_ v: Double, _ logY: Bool, digits: Int = 2) -> String {
    Format.compact(logY ? pow(10, v) : v, digits: digits)
  }

  /// Labels with as few significant digits (2 to 4) as keep them apart: a narrow range such
  /// as a win-rate spread between 0.303 and 0.307 would otherwise read "0.31 / 0.3 / 0.3".
  static func distinctLabels(_ values: [Double], _ logY: Bool) -> [String] {
    var labels: [String] = []
    for digits in 2...4 {
      labels = values.map { label($0, logY, digits: digits) }
      if Set(labels).count == labels.count { break }
    }
    return labels
  }

  /// "label  last 0.712  min 0.12  max 0.93  avg 0.55", shortened to fit.
  static func header(_ grid: inout CellGrid, x: Int, y: Int, width: Int, _ s: ChartSeries, _ st: SeriesStats?,
                     text: Style, muted: Style, bg: CellColor) {
    let name = Style(fg: s.color, bg: bg, attrs: .bold)
    guard let st else {
      grid.segments(x, y, [(s.label, name), ("  –", muted)], maxWidth: width)
      return
    }
    let f = { (v: Double) in Format.compact(v) }
    let long: [(String, Style)] = [
      (s.label, name), ("  last ", muted), (f(st.last), text), ("  min ", muted), (f(st.min), text),
      ("  max ", muted), (f(st.max), text), ("  avg ", muted), (f(st.mean), text),
    ]
    let short: [(String, Style)] = [
      (s.label + " ", name), (f(st.last), text), (" ↓", muted), (f(st.min), text), (" ↑", muted), (f(st.max), text),
      (" ~", muted), (f(st.mean), text),
    ]
    let need = long.reduce(0) { $0 + CellWidth.count($1.0) }
    grid.segments(x, y, need <= width ? long : short, maxWidth: width)
  }
}
