// What every panel needs to draw itself: the state, the view, the theme's styles, and the
// markers shared by all charts. Each panel draws its frame, then its content clipped to the
// inside of the frame, so no panel can write outside its rectangle.

/// Styles and shared data for one frame's panels.
struct PanelContext {
  let state: DashboardState
  let view: ViewState
  let theme: Theme

  init(state: DashboardState, view: ViewState) {
    self.state = state
    self.view = view
    theme = view.theme
  }

  var colored: Bool { view.colorMode != .none }
  var bg: CellColor { theme.background }
  var text: Style { Style(fg: theme.text, bg: bg) }
  var muted: Style { Style(fg: theme.muted, bg: bg) }
  var bold: Style { Style(fg: theme.text, bg: bg, attrs: .bold) }
  var good: Style { Style(fg: theme.good, bg: bg) }
  var bad: Style { Style(fg: theme.bad, bg: bg) }
  var warning: Style { Style(fg: theme.warning, bg: bg, attrs: .bold) }
  var key: Style { Style(fg: theme.key, bg: bg, attrs: .bold) }
  /// A selected row: the selection colour, or reverse video when the theme has none.
  var selected: Style {
    theme.selection == .default ? Style(fg: theme.text, bg: bg, attrs: [.reverse, .bold])
      : Style(fg: theme.text, bg: theme.selection, attrs: .bold)
  }

  /// Options for a chart panel: the view's mode, smoothing, zoom and that panel's log-y.
  func chartOptions(_ panel: PanelKind) -> ChartOptions {
    ChartOptions(mode: view.chartMode, smoothing: view.smoothing, logY: view.logY.contains(panel), band: true,
                 xRange: view.xRange(state))
  }

  /// Every discriminator update and hyperparameter edit as a chart marker.
  var markers: [ChartMarker] {
    state.markers.map { m in
      m.kind == .discriminator
        ? ChartMarker(x: Double(m.iteration), color: theme.discriminatorMarker, glyph: "D")
        : ChartMarker(x: Double(m.iteration), color: theme.hyperparameterMarker, glyph: "H")
    }
  }

  /// A chart series from a state series.
  func series(_ name: String, label: String? = nil, color: CellColor) -> ChartSeries? {
    guard let s = state.series[name], s.count > 0 else { return nil }
    return ChartSeries(label: label ?? MetricNames.label(name), color: color, xs: s.xs, ys: s.ys)
  }

  /// Draws the frame of a panel and returns the inside.
  func frame(_ grid: inout CellGrid, _ rect: Rect, title: String, focused: Bool) -> Rect {
    let border = focused ? Style(fg: theme.focus, bg: bg, attrs: .bold) : Style(fg: theme.border, bg: bg)
    let titleStyle = focused ? Style(fg: theme.focus, bg: bg, attrs: .bold) : Style(fg: theme.title, bg: bg, attrs: .bold)
    grid.box(rect, title: title, style: border, titleStyle: titleStyle)
    return rect.inset(1)
  }
}

/// Draws one panel by kind.
enum Panels {
  static func draw(_ kind: PanelKind, rect: Rect, into grid: inout CellGrid, _ ctx: PanelContext) {
    grid.clipped(to: rect) { g in
      g.fill(rect, " ", Style(bg: ctx.bg))
      let focused = ctx.view.focus == kind
      let inner = ctx.frame(&g, rect, title: title(kind, ctx), focused: focused)
      guard !inner.isEmpty else { return }
      g.clipped(to: inner) { g in
        switch kind {
        case .reward: ChartPanels.reward(&g, inner, ctx)
        case .kl: ChartPanels.kl(&g, inner, ctx)
        case .discriminator: ChartPanels.discriminator(&g, inner, ctx)
        case .advantages: AdvantagesPanel.draw(&g, inner, ctx)
        case .samples: SamplesPanel.draw(&g, inner, ctx)
        case .hyperparameters: HyperparametersPanel.draw(&g, inner, ctx)
        case .evaluation: EvaluationPanel.draw(&g, inner, ctx)
        case .log: LogPanel.draw(&g, inner, ctx)
        }
      }
    }
  }

  /// The title on a panel's top edge, with the chart settings that affect how to read it.
  static func title(_ kind: PanelKind, _ ctx: PanelContext) -> String {
    let s = ctx.state
    var suffix = ""
    if kind.isChart {
      if ctx.view.smoothing > 0 { suffix += " · ema \(Format.compact(ctx.view.smoothing))" }
      if ctx.view.logY.contains(kind) { suffix += " · log-y" }
      if let w = ctx.view.window { suffix += " · last \(w)" }
    }
    switch kind {
    case .reward:
      return (ChartPanels.isAdversarial(s) ? "Reward: generated vs reference" : "Reward") + suffix
    case .kl: return "KL · approx_kl · clipfrac" + suffix
    case .discriminator:
      if ChartPanels.showsSFT(s) { return "Style-GRPO stage 1: SFT" + suffix }
      return "Discriminator · \(s.discriminatorUpdates.count) update\(s.discriminatorUpdates.count == 1 ? "" : "s")" + suffix
    case .advantages:
      return "Advantages" + (s.advantageHistograms.last.map { " · iter \($0.iteration)" } ?? "")
    case .samples: return SamplesPanel.title(ctx)
    case .hyperparameters: return ctx.view.readOnly == nil ? "Hyperparameters (live)" : "Hyperparameters"
    case .evaluation: return "Evaluation" + (s.evaluations.last.map { " · iter \($0.iteration)" } ?? "")
    case .log: return "Log" + (ctx.view.logScroll > 0 ? " · ↑\(ctx.view.logScroll)" : "")
    }
  }
}
