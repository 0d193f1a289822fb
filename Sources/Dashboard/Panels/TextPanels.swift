import Foundation
import RunProtocol

// The two text panels: the latest evaluation (each metric with its change since the previous
// evaluation and a sparkline of its trend, so a reward rising while alignment falls shows up)
// and the log tail, scrollable with ↑↓ and PgUp/PgDn when focused.

/// The latest evaluation: each metric, its change since the previous evaluation, and a trend.
enum EvaluationPanel {
  static func draw(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let evals = ctx.state.evaluations
    guard let last = evals.last else {
      g.centered(r.y + r.height / 2, in: r, "no evaluation yet", ctx.muted)
      return
    }
    let prev = evals.count > 1 ? evals[evals.count - 2] : nil
    let names = last.values.keys.sorted()
    let nameW = min(max(6, names.map { CellWidth.count($0) }.max() ?? 6), r.width / 2)
    for (row, name) in names.enumerated() where row < r.height {
      let y = r.y + row
      guard let v = last.values[name] else { continue }
      var x = r.x
      x += g.text(x, y, name, ctx.text, maxWidth: nameW)
      x = r.x + nameW + 1
      x += g.text(x, y, Format.compact(v), ctx.bold, maxWidth: max(0, r.maxX - x))
      if let p = prev?.values[name] {
        let d = v - p
        x += g.text(x + 1, y, Format.signed(d, digits: 2), d == 0 ? ctx.muted : ctx.text, maxWidth: max(0, r.maxX - x - 1)) + 1
      }
      let trend = evals.suffix(16).compactMap { $0.values[name] }
      let w = r.maxX - x - 1
      if w >= 4, trend.count >= 2 {
        Sparkline.draw(into: &g, x: x + 1, y: y, width: min(w, 16), values: trend, style: Style(fg: ctx.theme.generated, bg: ctx.bg))
      }
    }
  }
}

/// The log tail: iteration, then the message in its level's colour; newest at the bottom.
enum LogPanel {
  static func draw(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let log = ctx.state.log
    guard !log.isEmpty else {
      g.centered(r.y + r.height / 2, in: r, "no log lines yet", ctx.muted)
      return
    }
    let end = max(0, log.count - min(ctx.view.logScroll, max(0, log.count - r.height)))
    let start = max(0, end - r.height)
    for (row, e) in log[start..<end].enumerated() {
      let y = r.y + row
      let style: Style
      switch e.level {
      case .error: style = Style(fg: ctx.theme.bad, bg: ctx.bg, attrs: .bold)
      case .warning: style = Style(fg: ctx.theme.warning, bg: ctx.bg)
      case .debug: style = ctx.muted
      case .info: style = ctx.text
      }
      let tag = String("\(e.iteration)".suffix(5))
      let x = r.x + g.text(r.x, y, tag.padding(toLength: 5, withPad: " ", startingAt: 0) + " ", ctx.muted, maxWidth: r.width)
      g.text(x, y, e.message, style, maxWidth: r.maxX - x)
    }
  }
}
