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

/// The `?` overlay: every key, grouped by what it acts on; control keys marked off when the
/// dashboard is read-only.
enum HelpOverlay {
  static let groups: [(String, [(String, String, Bool)])] = [
    ("General", [
      ("?", "this help (any key closes it)", false), ("q", "quit; asks before stopping a running job", false),
      ("Tab", "move the focus between panels", false), ("Enter e", "expand the focused panel, Esc back", false),
      ("1 2 3 4", "layouts: default, charts, samples, hyperparameters+log", false),
      ("f", "freeze the view (training goes on)", false), ("t", "next theme", false),
    ]),
    ("Charts", [
      ("m", "EMA smoothing: off .6 .8 .9 .95 .99 (raw dimmed under it)", false),
      ("l", "log-y for the focused chart", false), ("+ - =", "zoom time in, out, whole run", false),
      ("b", "dots: braille, blocks, ASCII", false), ("D H", "markers: discriminator update, hyperparameter edit", false),
    ]),
    ("Samples", [
      ("← →", "select a sample", false), ("[ ]", "older / newer iteration", false),
      ("Home End", "oldest / latest", false), ("z", "zoom the sample beside its references", false),
    ]),
    ("Run control", [
      ("p", "pause / resume within the phase", true), ("space", "one iteration while paused", true),
      ("↑ ↓", "select a hyperparameter", false), ("Enter", "edit it: type, or ← → nudge; Esc cancels", true),
      ("c", "save a checkpoint", true), ("s", "snapshot", true),
    ]),
  ]

  static func draw(_ g: inout CellGrid, _ size: TerminalSize, _ ctx: PanelContext) {
    let lines = groups.reduce(0) { $0 + $1.1.count + 2 } + 2
    let w = min(size.width - 4, 78), h = min(size.height - 2, lines + 2)
    let r = Rect(x: (size.width - w) / 2, y: (size.height - h) / 2, width: w, height: h)
    g.clipped(to: r) { g in
      g.fill(r, " ", Style(fg: ctx.theme.text, bg: ctx.theme.statusBackground))
      let panelBg = Style(fg: ctx.theme.focus, bg: ctx.theme.statusBackground, attrs: .bold)
      g.box(r, title: "Help", style: panelBg, titleStyle: panelBg)
      let inner = r.inset(1)
      let bg = ctx.theme.statusBackground
      var y = inner.y
      for (title, entries) in groups where y < inner.maxY {
        g.text(inner.x + 1, y, title, Style(fg: ctx.theme.title, bg: bg, attrs: [.bold, .underline]), maxWidth: inner.width - 2)
        y += 1
        for (key, what, control) in entries where y < inner.maxY {
          let off = control && ctx.view.readOnly != nil
          let keyStyle = Style(fg: off ? ctx.theme.muted : ctx.theme.key, bg: bg, attrs: .bold)
          let textStyle = Style(fg: off ? ctx.theme.muted : ctx.theme.text, bg: bg)
          g.text(inner.x + 2, y, key, keyStyle, maxWidth: 10)
          g.text(inner.x + 13, y, what + (off ? " (off: read-only)" : ""), textStyle, maxWidth: inner.width - 14)
          y += 1
        }
        y += 1
      }
      if y <= inner.maxY - 1 {
        let note = "colours: \(ctx.view.colorMode.label) (\(ctx.view.colorReason)) · theme \(ctx.theme.name)"
        g.text(inner.x + 1, inner.maxY - 1, note, Style(fg: ctx.theme.muted, bg: bg), maxWidth: inner.width - 2)
      }
    }
  }
}
