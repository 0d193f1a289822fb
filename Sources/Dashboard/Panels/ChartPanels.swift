import RunProtocol

// The three line-chart panels. The reward panel plots r_gen against r_ref for Adv-GRPO (the
// gap between them is what the discriminator schedule reacts to) and every reward's mean
// otherwise; KL, approx_kl and clipfrac share a log-y chart because they span decades; the
// discriminator panel adds its trigger list under a loss/accuracy chart.

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
    } else {
      // Rewards in the run's order, then any other reward means it reports.
      let order = (s.run?.rewards ?? []).map { "reward/\($0)/mean" }
      let names = order.filter { s.series[$0] != nil } + s.series.keys.filter { MetricNames.isRewardMean($0) && !order.contains($0) }.sorted()
      let palette = ctx.theme.palette
      for (i, n) in names.enumerated() {
        if let c = ctx.series(n, color: palette[i % palette.count]) { series.append(c) }
      }
    }
    LineChart.draw(into: &g, rect: r, series: series, markers: ctx.markers, options: ctx.chartOptions(.reward), theme: ctx.theme)
  }

  static func kl(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let colors = [ctx.theme.kl, ctx.theme.approxKL, ctx.theme.clipfrac]
    let series = zip(MetricNames.klFamily, colors).compactMap { ctx.series($0.0, color: $0.1) }
    LineChart.draw(into: &g, rect: r, series: series, markers: ctx.markers, options: ctx.chartOptions(.kl), theme: ctx.theme)
  }

  static func discriminator(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let s = ctx.state
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
