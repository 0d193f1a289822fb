// The one pure entry of drawing: (state, view, size) → a grid. The backend shows the grid;
// tests read it. Order: background, status bar, panels of the layout, key bar, then overlays
// (help) on top, or only the "too small" message below the minimum size.

/// A terminal size in cells.
public struct TerminalSize: Hashable, Sendable {
  public var width: Int
  public var height: Int
  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }
}

/// Draws the whole dashboard into a grid.
public func render(_ state: DashboardState, _ view: ViewState, size: TerminalSize) -> CellGrid {
  Renderer.render(state, view, size: size)
}

/// Top-level drawing.
public enum Renderer {
  public static func render(_ state: DashboardState, _ view: ViewState, size: TerminalSize) -> CellGrid {
    let theme = view.theme
    var g = CellGrid(width: size.width, height: size.height, fill: Cell(" ", Style(fg: theme.text, bg: theme.background)))
    guard Layout.fits(width: size.width, height: size.height) else {
      tooSmall(&g, size, theme)
      return g
    }
    let ctx = PanelContext(state: state, view: view)
    Bars.status(&g, width: size.width, ctx)
    for (kind, rect) in Layout.panels(view, width: size.width, height: size.height) {
      Panels.draw(kind, rect: rect, into: &g, ctx)
    }
    Bars.keys(&g, width: size.width, height: size.height, ctx)
    if view.showHelp { HelpOverlay.draw(&g, size, ctx) }
    return g
  }

  /// Below 80×24 no layout is honest, so say so in the middle of the screen.
  static func tooSmall(_ g: inout CellGrid, _ size: TerminalSize, _ theme: Theme) {
    let r = g.bounds
    let style = Style(fg: theme.warning, bg: theme.background, attrs: .bold)
    let muted = Style(fg: theme.muted, bg: theme.background)
    let y = max(0, size.height / 2 - 1)
    g.centered(y, in: r, "terminal too small: \(size.width)×\(size.height)", style)
    g.centered(y + 1, in: r, "grpotop needs at least \(Layout.minimumWidth)×\(Layout.minimumHeight)", muted)
    g.centered(y + 2, in: r, "enlarge the window, or q to quit", muted)
  }
}

// Where each panel goes. The status bar takes the top row and the key bar the bottom row; the
// body between them is cut into non-overlapping rectangles, proportionally, with minimum
// sizes chosen so 80×24 still shows every panel of the default layout. Below 80×24 the
// renderer shows a "too small" message instead of a layout.

/// Panel rectangles for a screen size and a view.
public enum Layout {
  /// The smallest screen the layouts are designed for.
  public static let minimumWidth = 80
  public static let minimumHeight = 24

  /// True when the screen can hold a layout.
  public static func fits(width: Int, height: Int) -> Bool { width >= minimumWidth && height >= minimumHeight }

  /// The body: everything between the status bar and the key bar.
  public static func body(width: Int, height: Int) -> Rect { Rect(x: 0, y: 1, width: width, height: height - 2) }

  /// The panels and their rectangles, in drawing (and focus) order.
  public static func panels(_ view: ViewState, width: Int, height: Int) -> [(PanelKind, Rect)] {
    let body = body(width: width, height: height)
    if let e = view.expanded { return [(e, body)] }
    switch view.preset {
    case .standard: return standard(body)
    case .charts: return charts(body)
    case .samples: return [(.samples, body)]
    case .control: return control(body)
    }
  }

  static func clamp(_ v: Double, _ lo: Int, _ hi: Int) -> Int { min(max(Int(v.rounded()), lo), hi) }

  /// DASHBOARD.md's screen: four charts, the samples strip, then hyperparameters, evaluation
  /// and log side by side.
  static func standard(_ body: Rect) -> [(PanelKind, Rect)] {
    let B = body.height
    let bottomH = clamp(Double(B) * 0.24, 5, 14)
    let samplesH = clamp(Double(B) * 0.28, 6, 24)
    let chartsH = B - bottomH - samplesH
    let (charts, rest) = body.splitTop(chartsH)
    let (samples, bottom) = rest.splitTop(samplesH)
    var out = chartGrid(charts)
    out.append((.samples, samples))
    let hyperW = clamp(Double(body.width) * 0.38, 30, 70)
    let evalW = clamp(Double(body.width) * 0.26, 22, 50)
    let (hyper, r1) = bottom.splitLeft(hyperW)
    let (eval, log) = r1.splitLeft(evalW)
    out += [(.hyperparameters, hyper), (.evaluation, eval), (.log, log)]
    return out
  }

  /// Reward and KL on the left (wider), advantages and discriminator on the right.
  static func chartGrid(_ r: Rect) -> [(PanelKind, Rect)] {
    let leftW = clamp(Double(r.width) * 0.56, 40, r.width - 30)
    let (left, right) = r.splitLeft(leftW)
    let topH = (r.height + 1) / 2
    let (reward, kl) = left.splitTop(topH)
    let (adv, disc) = right.splitTop(topH)
    return [(.reward, reward), (.advantages, adv), (.kl, kl), (.discriminator, disc)]
  }

  static func charts(_ body: Rect) -> [(PanelKind, Rect)] { chartGrid(body) }

  /// Hyperparameters on the left; the discriminator's triggers above the log on the right.
  static func control(_ body: Rect) -> [(PanelKind, Rect)] {
    let (hyper, right) = body.splitLeft(clamp(Double(body.width) * 0.5, 40, body.width - 30))
    let (disc, log) = right.splitTop(clamp(Double(body.height) * 0.4, 6, body.height - 6))
    return [(.hyperparameters, hyper), (.discriminator, disc), (.log, log)]
  }
}
