import RunProtocol

// Every key of the dashboard: a pure function from (key, view, state) to a new view and the
// commands to send. Modal states come first (the stop question, an edit, the help overlay),
// then the global keys. Control keys check read-only mode here, in one place.

/// What a key did besides changing the view.
public struct KeyOutcome: Equatable, Sendable {
  public var commands: [CommandAction] = []
  public var quit = false
  /// Write a snapshot of the screen (the app does the file work).
  public var snapshot = false
  public init(commands: [CommandAction] = [], quit: Bool = false, snapshot: Bool = false) {
    self.commands = commands
    self.quit = quit
    self.snapshot = snapshot
  }
}

/// The dashboard's key bindings.
public enum KeyHandler {
  /// Applies one key.
  public static func handle(_ key: Key, view: inout ViewState, state: DashboardState) -> KeyOutcome {
    if view.confirmStop { return answerStop(key, view: &view) }
    if view.edit != nil { return KeyOutcome(commands: HyperparameterEditor.handle(key, view: &view, state: state)) }
    if view.showHelp {
      view.showHelp = false
      if key == .char("?") || key == .escape || key == .char("q") || key == .char("h") { return KeyOutcome() }
    }
    view.message = nil
    switch key {
    case .char("q"):
      if view.readOnly != nil || view.quitLeavesRunRunning || state.run == nil || state.status.ended != nil || view.stopping {
        return KeyOutcome(quit: true)
      }
      view.confirmStop = true
    case .char("?"), .char("h"), .function(1): view.showHelp = true
    case .escape:
      if view.zoomSample { view.zoomSample = false } else { view.expanded = nil }
    case .char(let c) where ("1"..."4").contains(c):
      if let n = c.wholeNumberValue, let p = LayoutPreset(rawValue: n) { select(p, view: &view) }
    case .tab, .backTab: cycleFocus(view: &view, forward: key == .tab)
    case .char("e"): toggleExpand(view: &view)
    case .enter:
      if view.focus == .hyperparameters && visible(view).contains(.hyperparameters) {
        if let why = view.readOnly { view.note("read-only: editing is off (\(why))", error: true) } else {
          HyperparameterEditor.begin(view: &view, state: state)
        }
      } else {
        toggleExpand(view: &view)
      }
    case .char("f"):
      view.frozen.toggle()
      view.note(view.frozen ? "view frozen; training goes on (f to follow)" : "following the run")
    case .char("t"):
      view.themeIndex = (view.themeIndex + 1) % view.themes.count
      view.note("theme: \(view.theme.name)")
    case .char("m"):
      view.smoothingIndex = (view.smoothingIndex + 1) % ViewState.smoothingLevels.count
      view.note(view.smoothing == 0 ? "smoothing off" : "EMA smoothing \(view.smoothing)")
    case .char("l"):
      let target = view.focus.isChart ? view.focus : .reward
      if view.logY.contains(target) { view.logY.remove(target) } else { view.logY.insert(target) }
      view.note("\(target.rawValue): \(view.logY.contains(target) ? "log" : "linear") y")
    case .char("b"):
      let all = ChartMode.allCases
      view.chartMode = all[((all.firstIndex(of: view.chartMode) ?? 0) + 1) % all.count]
      view.note("charts: \(view.chartMode.rawValue)")
    case .char("+"): zoom(view: &view, state: state, by: 0.5)
    case .char("-"): zoom(view: &view, state: state, by: 2)
    case .char("="):
      view.window = nil
      view.note("showing the whole run")
    case .left, .right:
      let n = currentGroupSize(view, state)
      if n > 0 { view.selectedSample = (view.selectedSample + (key == .right ? 1 : n - 1)) % n }
    case .char("["): scrub(view: &view, state: state, by: -1)
    case .char("]"): scrub(view: &view, state: state, by: 1)
    case .home: scrub(view: &view, state: state, by: -Int.max / 2)
    case .end: view.sampleHistory = nil
    case .char("z"): view.zoomSample.toggle()
    case .up, .down, .char("k"), .char("j"):
      let delta = key == .up || key == .char("k") ? -1 : 1
      if view.focus == .log {
        view.logScroll = max(0, view.logScroll - delta)
      } else if !state.hyperparameters.isEmpty {
        let n = state.hyperparameters.count
        view.selectedHyperparameter = (view.selectedHyperparameter + delta + n) % n
      }
    case .pageUp: view.logScroll += 10
    case .pageDown: view.logScroll = max(0, view.logScroll - 10)
    case .char("s"):
      // A snapshot of the screen is not control, so read-only sessions may take one too; the
      // run is asked only when it is live.
      if view.readOnly != nil || state.run == nil || state.status.ended != nil {
        return KeyOutcome(snapshot: true)
      }
      return KeyOutcome(commands: [.snapshot], snapshot: true)
    case .char("p"), .char(" "), .char("c"):
      return control(key, view: &view, state: state)
    default: break
    }
    return KeyOutcome()
  }

  /// The keys that steer the run.
  static func control(_ key: Key, view: inout ViewState, state: DashboardState) -> KeyOutcome {
    if let why = view.readOnly {
      view.note("read-only: control keys are off (\(why))", error: true)
      return KeyOutcome()
    }
    if state.status.ended != nil {
      view.note("the run has ended", error: true)
      return KeyOutcome()
    }
    switch key {
    case .char("p"):
      if state.status.paused {
        view.note("resuming")
        return KeyOutcome(commands: [.resume])
      }
      view.note("pausing within the current phase…")
      return KeyOutcome(commands: [.pause])
    case .char(" "):
      guard state.status.paused else {
        view.note("space runs one iteration while paused (p pauses first)", error: true)
        return KeyOutcome()
      }
      view.note("running one iteration")
      return KeyOutcome(commands: [.step])
    default:
      view.note("checkpoint requested")
      return KeyOutcome(commands: [.saveCheckpoint])
    }
  }

  static func answerStop(_ key: Key, view: inout ViewState) -> KeyOutcome {
    view.confirmStop = false
    if key == .char("y") || key == .char("Y") {
      view.stopping = true
      view.note("stopping: the run saves a checkpoint, then ends (q again quits now)")
      return KeyOutcome(commands: [.stop])
    }
    view.note("not stopped")
    return KeyOutcome()
  }

  /// The panels of the current layout, in focus order.
  public static func visible(_ view: ViewState) -> [PanelKind] {
    // Which panels a layout holds does not depend on the size, so any valid size will do.
    Layout.panels(view, width: Layout.minimumWidth, height: Layout.minimumHeight).map(\.0)
  }

  static func select(_ preset: LayoutPreset, view: inout ViewState) {
    view.preset = preset
    view.expanded = nil
    let panels = visible(view)
    if !panels.contains(view.focus), let first = panels.first { view.focus = first }
    view.note("layout: \(preset.label)")
  }

  static func cycleFocus(view: inout ViewState, forward: Bool) {
    var probe = view
    probe.expanded = nil
    let panels = visible(probe)
    guard !panels.isEmpty else { return }
    let i = panels.firstIndex(of: view.focus) ?? 0
    view.focus = panels[(i + (forward ? 1 : panels.count - 1)) % panels.count]
    if view.expanded != nil { view.expanded = view.focus }
  }

  static func toggleExpand(view: inout ViewState) {
    view.expanded = view.expanded == nil ? view.focus : nil
  }

  static func zoom(view: inout ViewState, state: DashboardState, by factor: Double) {
    let domain = state.iterationDomain
    let full = Int(domain.upperBound - domain.lowerBound)
    let current = view.window ?? full
    let next = max(8, Int((Double(current) * factor).rounded()))
    view.window = next >= full ? nil : next
    view.note(view.window.map { "showing the last \($0) iterations" } ?? "showing the whole run")
  }

  static func scrub(view: inout ViewState, state: DashboardState, by delta: Int) {
    let n = state.sampleGroups.count
    guard n > 0 else { return }
    let current = view.sampleHistory ?? n - 1
    let next = min(max(0, current + delta), n - 1)
    view.sampleHistory = next == n - 1 ? nil : next
  }

  static func currentGroupSize(_ view: ViewState, _ state: DashboardState) -> Int {
    guard let i = view.sampleGroupIndex(in: state) else { return 0 }
    return state.sampleGroups[i].images.count
  }

  /// Drops pending edits the run has echoed back (its value now equals what was sent).
  public static func reconcile(view: inout ViewState, state: DashboardState) {
    for (k, v) in view.pending where state.values[k] == v { view.pending[k] = nil }
  }
}
