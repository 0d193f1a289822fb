import RunProtocol

// The advantages of the latest iteration as bars (negative bins in the "bad" colour, positive
// in the "good" one), the bin range under them, and the heat strip of every iteration's
// histogram below, on the same x range as the charts so a collapse lines up with the curves.

/// The advantages panel.
enum AdvantagesPanel {
  static func draw(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let hists = ctx.state.advantageHistograms
    guard let h = hists.last else {
      g.centered(r.y + r.height / 2, in: r, "waiting for a histogram…", ctx.muted)
      return
    }
    // Summary: samples, mean and spread from the bin centres, and the zero-std share.
    let n = h.counts.reduce(0, +)
    let width = (h.high - h.low) / Double(max(1, h.counts.count))
    var mean = 0.0, sq = 0.0
    for (i, c) in h.counts.enumerated() {
      let centre = h.low + (Double(i) + 0.5) * width
      mean += centre * Double(c)
      sq += centre * centre * Double(c)
    }
    if n > 0 {
      mean /= Double(n)
      sq = max(0, sq / Double(n) - mean * mean)
    }
    var parts: [(String, Style)] = [("n ", ctx.muted), ("\(n)", ctx.text), ("  mean ", ctx.muted),
                                    (Format.signed(mean), ctx.text), ("  std ", ctx.muted), (Format.compact(sq.squareRoot(), digits: 2), ctx.text)]
    if let z = ctx.state.series["zero_std_ratio"]?.last {
      parts += [("  zero-std ", ctx.muted), ("\(Int((z * 100).rounded()))%", z > 0.5 ? ctx.warning : ctx.text)]
    }
    g.segments(r.x, r.y, parts, maxWidth: r.width)
    let body = r.splitTop(1).1
    guard body.height >= 2 else { return }
    // Tall panels stack bars, a range row and the heat strip; short wide ones put the heat
    // strip beside the bars so both stay readable.
    let sideBySide = body.height < 8 && body.width >= 40
    let barsArea: Rect, heatRect: Rect?
    if sideBySide {
      let (left, right) = body.splitLeft(body.width * 2 / 5)
      barsArea = Rect(x: left.x, y: left.y, width: left.width - 1, height: left.height)
      heatRect = Rect(x: right.x + 1, y: right.y, width: right.width - 1, height: right.height)
    } else {
      let heatH = body.height >= 7 ? (body.height - 1) * 2 / 5 : 0
      barsArea = Rect(x: body.x, y: body.y, width: body.width, height: body.height - heatH)
      heatRect = heatH > 0 ? Rect(x: body.x, y: barsArea.maxY, width: body.width, height: heatH) : nil
    }
    let barsRect = Rect(x: barsArea.x, y: barsArea.y, width: barsArea.width, height: barsArea.height - 1)
    HistogramWidgets.bars(into: &g, rect: barsRect, counts: h.counts, mode: ctx.view.chartMode, background: ctx.bg) { i, count in
      let centre = h.low + (Double(i) + 0.5) * (h.high - h.low) / Double(max(1, count))
      return centre < 0 ? ctx.theme.bad : ctx.theme.good
    }
    let axisY = barsRect.maxY
    g.text(barsArea.x, axisY, Format.compact(h.low, digits: 2), ctx.muted, maxWidth: barsArea.width / 3)
    g.centered(axisY, in: barsArea, "0", ctx.muted)
    g.rightAligned(axisY, in: barsArea, Format.compact(h.high, digits: 2), ctx.muted)
    if let heat = heatRect {
      HistogramWidgets.heatStrip(into: &g, rect: heat, histograms: hists, xRange: ctx.view.xRange(ctx.state),
                                 colored: ctx.colored, background: ctx.bg, heat: ctx.theme.heat)
    }
  }
}
