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
