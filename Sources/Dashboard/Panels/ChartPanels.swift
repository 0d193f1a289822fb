import RunProtocol

// The three line-chart panels. The reward panel plots r_gen against r_ref for Adv-GRPO (the
// gap between them is what the discriminator schedule reacts to, with the means of any rewards
// mixed in beside D) and every reward's mean
// otherwise (a win rate its within-group spread: its mean is always 0.5); KL, approx_kl and
// clipfrac share a log-y chart because they span decades; the discriminator panel adds its
// trigger list under a loss/accuracy chart.

/// Reward, KL and discriminator panels.
enum ChartPanels {
  /// Adv-GRPO runs (or any run that reports r_gen) get the generated-vs-reference chart.
  static func isAdversarial(_ s: DashboardState) -> Bool {
    s.run?.algorithm == "adv-grpo" || s.series(anyOf: MetricNames.generated) != nil
  }

  static func reward(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let s = ctx.state
    var series: [ChartSeries] = []
    if isAdversarial(s) {
      if let gen = s.series(anyOf: MetricNames.generated) {
        series.append(ChartSeries(label: "r_gen", color: ctx.theme.generated, xs: gen.series.xs, ys: gen.series.ys))
      }
      if let ref = s.series(anyOf: MetricNames.reference) {
        series.append(ChartSeries(label: "r_ref", color: ctx.theme.reference, xs: ref.series.xs, ys: ref.series.ys))
      }
      // The rewards mixed in beside D (the default adds judge-a's alignment); D's own mean is r_gen.
      let palette = ctx.theme.palette
      for (i, name) in (s.run?.rewards ?? []).filter({ $0 != "discriminator" }).enumerated() {
        if let c = ctx.series("reward/\(name)/mean", color: palette[(i + 2) % palette.count]) { series.append(c) }
      }
    } else {
      // Rewards in the run's order, then any other reward means it reports.
      let order = (s.run?.rewards ?? []).map { "reward/\($0)/mean" }
      var names = order.filter { s.series[$0] != nil } + s.series.keys.filter { MetricNames.isRewardMean($0) && !order.contains($0) }.sorted()
      // A group's win rates always average 0.5: their mean (and a total made of them alone)
      // is a flat line, so a group-relative reward shows its spread instead (ALGORITHMS.md §4).
      let rewardNames = names.map { MetricNames.label($0) }.filter { $0 != "total" }
      if !rewardNames.isEmpty && rewardNames.allSatisfy(GroupRelativeRewards.names.contains) {
        names.removeAll { $0 == "reward/total/mean" }
      }
      let palette = ctx.theme.palette
      for (i, n) in names.enumerated() {
        let label = MetricNames.label(n), color = palette[i % palette.count]
        let spread = GroupRelativeRewards.names.contains(label)
        let chart = spread ? ctx.series("reward/\(label)/std", label: "\(label) spread (std)", color: color) : ctx.series(n, color: color)
        if let c = chart { series.append(c) }
      }
    }
    LineChart.draw(into: &g, rect: r, series: series, markers: ctx.markers, options: ctx.chartOptions(.reward), theme: ctx.theme)
  }

  static func kl(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let colors = [ctx.theme.kl, ctx.theme.approxKL, ctx.theme.clipfrac]
    let series = zip(MetricNames.klFamily, colors).compactMap { ctx.series($0.0, color: $0.1) }
    LineChart.draw(into: &g, rect: r, series: series, markers: ctx.markers, options: ctx.chartOptions(.kl), theme: ctx.theme)
  }

  /// A Style-GRPO run (it reports an SFT loss) without a discriminator: the panel shows its
  /// first stage instead.
  static func showsSFT(_ s: DashboardState) -> Bool {
    s.series["sft_loss"].map { $0.count > 0 } == true && s.discriminatorUpdates.isEmpty
  }

  /// Style-GRPO's SFT stage: its flow-matching loss, and where GRPO took over.
  static func sft(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    guard let loss = ctx.series("sft_loss", label: "SFT loss", color: ctx.theme.dLoss), let lastX = loss.xs.last else { return }
    let (chartRect, rest) = r.splitTop(max(0, r.height - 1))
    LineChart.draw(into: &g, rect: chartRect, series: [loss], markers: ctx.markers, options: ctx.chartOptions(.discriminator), theme: ctx.theme)
    let grpo = (ctx.state.series.first { MetricNames.isRewardMean($0.key) }?.value.xs.first).map { "; GRPO from \(Int($0))" } ?? ""
    g.text(rest.x, rest.y, "flow matching on perfect pairs: iterations 0–\(Int(lastX))" + grpo, ctx.muted, maxWidth: rest.width)
  }

  static func discriminator(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let s = ctx.state
    if showsSFT(s) { return sft(&g, r, ctx) }
    let updates = s.discriminatorUpdates
    var series: [ChartSeries] = []
    if let m = s.series(anyOf: MetricNames.discriminatorLoss) {
      series.append(ChartSeries(label: "d_loss", color: ctx.theme.dLoss, xs: m.series.xs, ys: m.series.ys))
    } else if !updates.isEmpty {
      series.append(ChartSeries(label: "d_loss", color: ctx.theme.dLoss, xs: updates.map { Double($0.iteration) }, ys: updates.map(\.lossAfter)))
    }
    if let m = s.series(anyOf: MetricNames.discriminatorAccuracy) {
      series.append(ChartSeries(label: "accuracy", color: ctx.theme.accuracy, xs: m.series.xs, ys: m.series.ys))
    } else if !updates.isEmpty {
      series.append(ChartSeries(label: "accuracy", color: ctx.theme.accuracy, xs: updates.map { Double($0.iteration) }, ys: updates.map(\.accuracyAfter)))
    }
    let gap = gapSeries(s)
    // Short panels drop the chart and keep the gap line and the triggers.
    let chartH = r.height >= 9 ? r.height * 11 / 20 : 0
    let (chartRect, rest) = r.splitTop(chartH)
    if chartH > 0 {
      LineChart.draw(into: &g, rect: chartRect, series: series, markers: ctx.markers, options: ctx.chartOptions(.discriminator), theme: ctx.theme)
    }
    var y = rest.y
    if let last = gap.last {
      let label = "r_gen − r_ref "
      let value = Format.signed(last, digits: 3)
      var used = g.segments(rest.x, y, [(label, ctx.muted), (value, last > 0 ? ctx.bad : ctx.good)], maxWidth: rest.width)
      used += 1
      let sparkW = rest.width - used
      if sparkW >= 4 {
        Sparkline.draw(into: &g, x: rest.x + used, y: y, width: sparkW, values: Array(gap.suffix(sparkW)), style: Style(fg: ctx.theme.gap, bg: ctx.bg))
      }
      y += 1
    } else if updates.isEmpty {
      g.text(rest.x, y, "no discriminator in this run (or no update yet)", ctx.muted, maxWidth: rest.width)
      return
    }
    // Trigger list, newest first.
    for u in updates.reversed() where y < rest.maxY {
      let parts: [(String, Style)] = [
        ("it \(u.iteration) ", Style(fg: ctx.theme.discriminatorMarker, bg: ctx.bg, attrs: .bold)),
        (u.reason, ctx.text),
        ("  r \(Format.compact(u.rewardGenerated, digits: 2))>\(Format.compact(u.rewardReference, digits: 2))", ctx.muted),
        ("  loss \(Format.compact(u.lossBefore, digits: 2))→\(Format.compact(u.lossAfter, digits: 2))", ctx.text),
        ("  acc \(Format.compact(u.accuracyBefore, digits: 2))→\(Format.compact(u.accuracyAfter, digits: 2))", ctx.text),
        ("  ×\(u.steps)", ctx.muted),
      ]
      g.segments(rest.x, y, parts, maxWidth: rest.width)
      y += 1
    }
  }

  /// r_gen − r_ref per iteration where both are known.
  static func gapSeries(_ s: DashboardState) -> [Double] {
    guard let gen = s.series(anyOf: MetricNames.generated)?.series, let ref = s.series(anyOf: MetricNames.reference)?.series
    else { return [] }
    var refAt: [Int: Double] = [:]
    for (x, y) in zip(ref.xs, ref.ys) { refAt[Int(x)] = y }
    var out: [Double] = []
    var lastX = Int.min
    for (x, y) in zip(gen.xs, gen.ys) {
      guard let r = refAt[Int(x)] else { continue }
      if Int(x) == lastX { out[out.count - 1] = y - r } else { out.append(y - r) }
      lastX = Int(x)
    }
    return out
  }
}


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
