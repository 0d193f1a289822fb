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
    if let eta = s.etaSeconds, ctx.view.source != "replay" { segs.append(Segment(text: "ETA \(Format.duration(eta))", style: base, priority: 2)) }
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
    // A recording that stops without run_end: the run was cut off (or is still being written).
    if ctx.view.source == "replay" { return "■ recorded, no run_end" }
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
                ("f", "freeze"), ("t", "theme"), ("?", "help"), ("q", v.quitLeavesRunRunning ? "detach" : "quit")]
    }
    var parts: [(String, Style)] = [(" ", base)]
    if let msg = v.message {
      let st = v.messageIsError ? Style(fg: t.bad, bg: t.statusBackground, attrs: .bold) : Style(fg: t.good, bg: t.statusBackground, attrs: .bold)
      parts.append((msg + "   ", st))
    } else if let end = ctx.state.status.ended, v.source == "live" {
      parts.append(("run \(end.status) · q quits  ", Style(fg: t.warning, bg: t.statusBackground, attrs: .bold)))
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
      ("c", "save a checkpoint", true), ("s", "snapshot of the screen (.png, .ans, .txt) into the run directory", false),
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
          let text = key == "q" && ctx.view.quitLeavesRunRunning ? "detach; the run goes on in its own process" : what
          g.text(inner.x + 13, y, text + (off ? " (off: read-only)" : ""), textStyle, maxWidth: inner.width - 14)
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
