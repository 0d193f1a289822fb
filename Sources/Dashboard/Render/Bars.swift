// The status bar (top row) and the key bar (bottom row). Both are lists of segments with a
// priority; on a narrow terminal the least important segments go first and the run directory
// is shortened, so the iteration, the run state and the colour mode are always visible.

/// Status and key bars.
enum Bars {
  /// A piece of a bar; lower priority numbers are kept longer.
  struct Segment {
    var text: String
    var style: Style
    var priority: Int
  }

  static func status(_ g: inout CellGrid, width: Int, _ ctx: PanelContext) {
    let t = ctx.theme
    let base = Style(fg: t.statusText, bg: t.statusBackground)
    let strong = base.with(.bold)
    g.fill(Rect(x: 0, y: 0, width: width, height: 1), " ", base)
    let s = ctx.state
    var segs: [Segment] = [Segment(text: "grpotop", style: strong, priority: 0)]
    if let run = s.run {
      segs.append(Segment(text: run.algorithm, style: strong, priority: 1))
      segs.append(Segment(text: "iter \(s.status.iteration)/\(run.totalIterations)", style: strong, priority: 0))
    } else {
      segs.append(Segment(text: "waiting for the run…", style: base, priority: 1))
    }
    if let spi = s.status.secondsPerIteration {
      segs.append(Segment(text: "\(Format.compact(spi, digits: 2)) s/it", style: base, priority: 3))
    }
    if let eta = s.etaSeconds { segs.append(Segment(text: "ETA \(Format.duration(eta))", style: base, priority: 2)) }
    segs.append(Segment(text: runState(ctx), style: Style(fg: stateColor(ctx), bg: t.statusBackground, attrs: .bold), priority: 0))
    if ctx.view.frozen { segs.append(Segment(text: "FROZEN (f)", style: Style(fg: t.warning, bg: t.statusBackground, attrs: [.bold, .reverse]), priority: 0)) }
    if !s.discriminatorUpdates.isEmpty || s.run?.algorithm == "adv-grpo" {
      segs.append(Segment(text: "D updates \(s.discriminatorUpdates.count)", style: base, priority: 4))
    }
    segs.append(Segment(text: ctx.view.colorMode.label, style: base, priority: 1))
    if ctx.view.source != "live" { segs.append(Segment(text: ctx.view.source, style: strong, priority: 2)) }
    let dir = s.run?.runDirectory ?? ""
    fit(&g, y: 0, width: width, segs, tail: dir.isEmpty ? nil : (dir, base), separator: (" · ", base))
  }

  /// "▶ running", "⏸ paused", "✓ completed" …
  static func runState(_ ctx: PanelContext) -> String {
    let s = ctx.state
    if let end = s.status.ended {
      switch end.status {
      case "completed": return "✓ completed"
      case "failed": return "✗ failed"
      default: return "■ \(end.status)"
      }
    }
    if s.run == nil { return "…" }
    if ctx.view.stopping { return "■ stopping…" }
    if s.status.paused { return "⏸ paused" }
    return "▶ running (\(s.status.phase.rawValue))"
  }

  static func stateColor(_ ctx: PanelContext) -> CellColor {
    let s = ctx.state
    if s.status.ended?.status == "failed" { return ctx.theme.bad }
    if s.status.paused || ctx.view.stopping { return ctx.theme.warning }
    return s.status.ended == nil ? ctx.theme.good : ctx.theme.statusText
  }

  /// Writes the segments that fit, dropping the least important first, then the tail (the
  /// run directory) shortened from the left with "…".
  static func fit(_ g: inout CellGrid, y: Int, width: Int, _ segs: [Segment], tail: (String, Style)?, separator: (String, Style)) {
    var kept = segs
    let sepW = CellWidth.count(separator.0)
    func total(_ list: [Segment]) -> Int { list.reduce(0) { $0 + CellWidth.count($1.text) } + max(0, list.count - 1) * sepW + 2 }
    while total(kept) > width, let worst = kept.indices.max(by: { kept[$0].priority < kept[$1].priority }), kept[worst].priority > 0 {
      kept.remove(at: worst)
    }
    var parts: [(String, Style)] = [(" ", kept.first?.style ?? separator.1)]
    for (i, s) in kept.enumerated() {
      if i > 0 { parts.append(separator) }
      parts.append((s.text, s.style))
    }
    var used = g.segments(0, y, parts, maxWidth: width)
    if let (text, style) = tail {
      let room = width - used - sepW - 1
      if room >= 6 {
        let shown = CellWidth.count(text) <= room ? text : "…" + String(text.unicodeScalars.suffix(room - 1).map(Character.init))
        used += g.segments(used, y, [separator, (shown, style)], maxWidth: width - used)
      }
    }
  }

  /// The key bar: a modal prompt, a note, or the key hints.
  static func keys(_ g: inout CellGrid, width: Int, height: Int, _ ctx: PanelContext) {
    let t = ctx.theme
    let base = Style(fg: t.statusText, bg: t.statusBackground)
    let key = Style(fg: t.key, bg: t.statusBackground, attrs: .bold)
    let y = height - 1
    g.fill(Rect(x: 0, y: y, width: width, height: 1), " ", base)
    let v = ctx.view
    if v.confirmStop {
      g.text(1, y, "stop training? the run saves a checkpoint, then ends (y/n)", Style(fg: t.warning, bg: t.statusBackground, attrs: [.bold, .reverse]), maxWidth: width - 2)
      return
    }
    var pairs: [(String, String)]
    if v.edit != nil {
      pairs = [("type", "a value"), ("←→", "nudge"), ("Enter", "apply"), ("Esc", "cancel"), ("Backspace", "delete")]
    } else {
      pairs = v.readOnly == nil ? [("p", "pause"), ("space", "step"), ("Enter", "edit")] : []
      pairs += [("←→", "sample"), ("[ ]", "history"), ("z", "zoom")]
      if v.readOnly == nil { pairs += [("s", "snapshot")] }
      pairs += [("Tab", "focus"), ("e", "expand"), ("1-4", "layout"), ("m", "smooth"), ("l", "log"), ("+-=", "zoom"),
                ("f", "freeze"), ("t", "theme"), ("?", "help"), ("q", "quit")]
    }
    var parts: [(String, Style)] = [(" ", base)]
    if let msg = v.message {
      let st = v.messageIsError ? Style(fg: t.bad, bg: t.statusBackground, attrs: .bold) : Style(fg: t.good, bg: t.statusBackground, attrs: .bold)
      parts.append((msg + "   ", st))
    } else if let ro = v.readOnly {
      parts.append(("read-only (\(ro))  ", Style(fg: t.warning, bg: t.statusBackground, attrs: .bold)))
    }
    var used = g.segments(0, y, parts, maxWidth: width)
    for (k, label) in pairs {
      let w = CellWidth.count(k) + 1 + CellWidth.count(label) + 2
      if used + w > width { break }
      used += g.segments(used, y, [(k, key), (" " + label + "  ", base)], maxWidth: width - used)
    }
  }
}
