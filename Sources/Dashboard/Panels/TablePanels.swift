import Foundation
import RunProtocol

// The run's hyperparameter schema as a table: key, current value (with a sent-but-not-yet-
// applied value as "→ new (pending)"), range, and the last change. The selected row opens the
// inline editor under it: old → typed value, the range and nudge rule, and the refusal reason
// in the "bad" colour when the value would be rejected.

/// The hyperparameters panel.
enum HyperparametersPanel {
  static func draw(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    let specs = ctx.state.hyperparameters
    guard !specs.isEmpty else {
      g.centered(r.y + r.height / 2, in: r, "waiting for the run's schema…", ctx.muted)
      return
    }
    let sel = min(max(0, ctx.view.selectedHyperparameter), specs.count - 1)
    let editing = ctx.view.edit
    let editorRows = editing == nil ? 0 : (editing?.error == nil ? 1 : 2)
    let listRows = max(1, r.height - editorRows)
    // Keep the selected row visible.
    let first = min(max(0, sel - listRows / 2), max(0, specs.count - listRows))
    let keyW = min(max(8, specs.map { CellWidth.count($0.key) }.max() ?? 8), r.width * 2 / 5)
    var y = r.y
    for i in first..<specs.count where y < r.maxY {
      let spec = specs[i]
      let isSel = i == sel && ctx.view.focus == .hyperparameters
      let base = isSel ? ctx.selected : (spec.live ? ctx.text : ctx.muted)
      g.fill(Rect(x: r.x, y: y, width: r.width, height: 1), " ", isSel ? ctx.selected : Style(bg: ctx.bg))
      g.text(r.x, y, (i == sel ? "›" : " ") + spec.key, base, maxWidth: keyW + 1)
      var x = r.x + keyW + 2
      let value = ctx.state.values[spec.key] ?? spec.value
      x += g.text(x, y, value.description, isSel ? base : ctx.bold, maxWidth: max(0, r.maxX - x))
      if let p = ctx.view.pending[spec.key], p != value {
        x += g.text(x, y, " → \(p) (pending)", isSel ? base : ctx.warning, maxWidth: max(0, r.maxX - x))
      }
      x += 2
      // The range only when it fits whole: a cut range reads as a wrong one.
      let info = spec.live ? HyperparameterEditor.rangeText(spec) : "fixed"
      if CellWidth.count(info) <= r.maxX - x { x += g.text(x, y, info, isSel ? base : ctx.muted) }
      if let c = ctx.state.changes.last(where: { $0.key == spec.key }), r.maxX - x > 12 {
        g.text(x + 2, y, "was \(c.old) @\(c.iteration)", isSel ? base : ctx.muted, maxWidth: r.maxX - x - 2)
      }
      y += 1
      if i == sel, let e = editing, e.key == spec.key {
        y = editor(&g, r, y, ctx, spec, e, old: value)
      }
    }
  }

  /// The editor rows under the selected key; returns the next free row.
  static func editor(_ g: inout CellGrid, _ r: Rect, _ y0: Int, _ ctx: PanelContext, _ spec: HyperparameterSpec,
                     _ e: HyperparameterEdit, old: JSONValue) -> Int {
    var y = y0
    guard y < r.maxY else { return y }
    let field = Style(fg: ctx.theme.text, bg: ctx.theme.selection == .default ? ctx.bg : ctx.theme.selection, attrs: [.bold, .underline])
    let parts: [(String, Style)] = [
      ("  \(old) → ", ctx.muted), (e.text + "▏", field), ("  \(HyperparameterEditor.rangeText(spec))", ctx.muted),
      ("  \(HyperparameterEditor.nudgeText(spec))", ctx.key), ("  Enter apply  Esc cancel", ctx.muted),
      (spec.help.isEmpty ? "" : "  · " + spec.help, ctx.muted),
    ]
    g.segments(r.x, y, parts, maxWidth: r.width)
    y += 1
    if let err = e.error, y < r.maxY {
      g.text(r.x, y, "  ✗ " + err, Style(fg: ctx.theme.bad, bg: ctx.bg, attrs: .bold), maxWidth: r.width)
      y += 1
    }
    return y
  }
}

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
