import Foundation
import RunProtocol

// The running dashboard. Two loops: a task drains the event stream into the store as fast as
// events come (the trainer never waits on us), and one thread owns ncurses (which is not
// thread-safe): it polls keys with a short timeout and draws at most `framesPerSecond` frames,
// and only when the state or the view changed, so an idle dashboard sends nothing over ssh.

/// The ncurses dashboard: shows a run's events and sends the user's commands back.
public final class DashboardApp: Sendable {
  private let closing = CloseLatch()

  public init() {}

  /// Asks the dashboard to leave as soon as the event stream has ended, without a key press:
  /// the caller stopped the run itself (a signal, e.g. SIGHUP when the ssh session dropped).
  public func closeWhenRunEnds() { closing.set() }

  /// Shows `events` until the user quits (or, after a stop, until the run ends) and sends
  /// commands through `send`. Throws when the terminal cannot be used or the theme is bad.
  public func run(events: AsyncStream<RunEvent>, send: @escaping @Sendable (RunCommand) -> Void,
                  options: DashboardOptions) async throws {
    let store = StateStore()
    let drain = Task.detached {
      for await e in events { store.apply(e) }
      store.finish()
    }
    defer { drain.cancel() }
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
      let thread = Thread {
        do {
          try UILoop(store: store, send: send, options: options, closing: self.closing).run()
          done.resume()
        } catch {
          done.resume(throwing: error)
        }
      }
      thread.name = "grpotop-dashboard"
      thread.start()
    }
  }

  /// The events of a recording as a stream, all at once (`speed` nil) or at the recorded pace
  /// sped up `speed` times, so a replay goes through the same live path as a training run.
  public static func stream(_ events: [RunEvent], speed: Double? = nil) -> AsyncStream<RunEvent> {
    AsyncStream { continuation in
      let feeder = Task {
        var previous = events.first?.time ?? 0
        for e in events {
          if let s = speed, s > 0, e.time > previous {
            try? await Task.sleep(nanoseconds: UInt64(min(10, (e.time - previous) / s) * 1e9))
          }
          previous = max(previous, e.time)
          if Task.isCancelled { break }
          continuation.yield(e)
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in feeder.cancel() }
    }
  }
}

/// The UI thread's loop: keys, commands, frames.
final class UILoop {
  let store: StateStore
  let send: @Sendable (RunCommand) -> Void
  let options: DashboardOptions
  let closing: CloseLatch
  private var nextCommandID = 1
  private var font: Result<BitmapFont, FontError>?

  init(store: StateStore, send: @escaping @Sendable (RunCommand) -> Void, options: DashboardOptions, closing: CloseLatch) {
    self.store = store
    self.send = send
    self.options = options
    self.closing = closing
  }

  func run() throws {
    let (themes, start, warnings) = try options.resolveThemes()
    let term = try CursesTerminal(colorFlag: options.colors, environment: options.environment,
                                  handleTermination: options.handleTerminationSignals)
    defer { term.shutdown() }
    var view = ViewState(colorMode: term.color.mode, themes: themes, readOnly: options.readOnly)
    view.colorReason = term.color.reason
    view.source = options.source
    view.quitLeavesRunRunning = options.quitLeavesRunRunning
    view.themeIndex = start ?? ThemeLibrary.automaticIndex(in: themes, for: term.color.mode)
    if let w = warnings.first { view.note("theme skipped: \(w)", error: true) }

    let frameInterval = 1 / max(1, options.framesPerSecond)
    var lastFrame = -Double.infinity
    var lastEvents = -1
    var dirty = true
    var frozen: DashboardState?
    var messageSince: Double?
    var lastMessage: String?
    let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    while true {
      let (live, finished) = store.snapshot()
      let shown = frozen ?? live
      // Keys: wait briefly for the first, then take whatever else is queued.
      var key = term.readKey(timeoutMs: 30)
      while let k = key {
        dirty = true
        if k != .resize {
          let wasFrozen = view.frozen
          let outcome = KeyHandler.handle(k, view: &view, state: shown)
          for action in outcome.commands { issue(action) }
          if outcome.quit { return }
          if outcome.snapshot { snapshot(render(shown, view, size: term.size), shown, &view, term.color.mode) }
          if view.frozen != wasFrozen { frozen = view.frozen ? live : nil }
        }
        key = term.readKey(timeoutMs: 0)
      }
      // After a confirmed stop, leave once the run has said it ended (or went away).
      if view.stopping && (live.status.ended != nil || finished) { return }
      if closing.isSet && finished { return }
      let now = clock()
      if view.message != lastMessage {
        lastMessage = view.message
        messageSince = view.message == nil ? nil : now
      } else if let since = messageSince, now - since > 4, view.edit == nil {
        view.message = nil
        lastMessage = nil
        messageSince = nil
        dirty = true
      }
      if live.eventCount != lastEvents && frozen == nil { dirty = true }
      guard dirty, now - lastFrame >= frameInterval else { continue }
      lastEvents = live.eventCount
      KeyHandler.reconcile(view: &view, state: live)
      term.present(render(frozen ?? live, view, size: term.size))
      lastFrame = now
      dirty = term.needsRepaint
    }
  }

  /// Writes the screen into <run directory>/snapshots as snapshot-<iteration>.png, drawn with
  /// the bitmap font, beside .ans and .txt copies, and says where in the key bar. The run
  /// directory is the one the command line names, else the one the run's events name, else
  /// ./snapshots when that is not on this machine. Without the font the text copies are still
  /// written and the note says why there is no PNG.
  private func snapshot(_ grid: CellGrid, _ state: DashboardState, _ view: inout ViewState, _ mode: ColorMode) {
    var dir = "snapshots"
    if let run = options.runDirectory ?? state.run?.runDirectory, FileManager.default.fileExists(atPath: run) {
      dir = run + "/snapshots"
    }
    let name = ScreenSnapshot.freeName(in: dir, iteration: state.status.iteration)
    let ans: String
    do {
      ans = try AnsiDiff.writeSnapshot(grid, mode: mode, directory: dir, name: name)
    } catch {
      view.note("snapshot failed: \(error.localizedDescription)", error: true)
      return
    }
    do {
      let png = (dir as NSString).appendingPathComponent(name + ".png")
      try ScreenSnapshot.writePNG(grid, theme: view.theme, mode: mode, font: try snapshotFont(), to: png)
      view.note("snapshot: \(png) (and .ans, .txt)")
    } catch {
      view.note("snapshot: \(ans) only, no PNG: \(error)", error: true)
    }
  }

  /// The snapshot font, loaded at the first snapshot (parsing it takes tens of milliseconds,
  /// which a session that never presses `s` should not pay) and kept, failure included.
  private func snapshotFont() throws -> BitmapFont {
    if font == nil {
      do { font = .success(try BitmapFont.load(path: options.snapshotFont)) } catch let e as FontError { font = .failure(e) }
    }
    switch font {
    case .success(let f): return f
    case .failure(let e): throw e
    case nil: throw FontError("\(options.snapshotFont): not loaded")
    }
  }

  private func issue(_ action: CommandAction) {
    send(RunCommand(id: nextCommandID, by: "dashboard", action: action))
    nextCommandID += 1
  }
}

// How the dashboard is started: from `grpotop train` (live, in-process), `grpotop replay`
// (a finished run, read-only) or `grpotop attach` (another program's run). The command line
// fills this; the dashboard never reads flags itself.

/// Options for a dashboard session.
public struct DashboardOptions: Sendable {
  /// Control keys off; the reason is shown when one is pressed ("--read-only", "replay").
  public var readOnly: String?
  /// `--colors 24bit|256|16|none`; nil detects.
  public var colors: ColorMode?
  /// A theme name, or the path of a theme file; nil picks one for the colour depth.
  public var theme: String?
  /// Directories of extra theme files (the checkout's Themes/); the user's
  /// $XDG_CONFIG_HOME/grpotop/themes is always searched last.
  public var themeDirectories: [String]
  /// "live", "replay" or "attach": shown in the status bar.
  public var source: String
  /// Frames per second at most (10 keeps ssh traffic low).
  public var framesPerSecond: Double
  /// The environment colour detection reads (tests pass their own).
  public var environment: [String: String]
  /// The Unifont .hex file PNG snapshots (`s`) are drawn with.
  public var snapshotFont: String
  /// The run directory on this machine, when the command line knows it (a replayed run may
  /// have been recorded elsewhere): `s` writes into its snapshots/.
  public var runDirectory: String?
  /// SIGINT, SIGTERM and SIGHUP restore the terminal and end the process (true), or are left
  /// to the caller, e.g. `train`, which turns them into a stop command and calls
  /// `closeWhenRunEnds()` (false): the run saves a checkpoint, then the dashboard closes.
  public var handleTerminationSignals: Bool
  /// `q` leaves without asking to stop the run, which another process owns (attach).
  public var quitLeavesRunRunning: Bool

  public init(readOnly: String? = nil, colors: ColorMode? = nil, theme: String? = nil, themeDirectories: [String] = [],
              source: String = "live", framesPerSecond: Double = 10,
              environment: [String: String] = ProcessInfo.processInfo.environment, handleTerminationSignals: Bool = true,
              snapshotFont: String = BitmapFont.defaultPath, runDirectory: String? = nil, quitLeavesRunRunning: Bool = false) {
    self.readOnly = readOnly
    self.colors = colors
    self.theme = theme
    self.themeDirectories = themeDirectories
    self.source = source
    self.framesPerSecond = framesPerSecond
    self.environment = environment
    self.handleTerminationSignals = handleTerminationSignals
    self.snapshotFont = snapshotFont
    self.runDirectory = runDirectory
    self.quitLeavesRunRunning = quitLeavesRunRunning
  }

  /// The themes to offer and the index of the starting one, or an error naming the theme
  /// file and line (or the unknown name). Runs before the terminal opens, so the error is
  /// printed on a normal screen.
  public func resolveThemes() throws -> (themes: [Theme], start: Int?, warnings: [String]) {
    var dirs = themeDirectories
    if let user = ThemeLibrary.userDirectory(environment: environment) { dirs.append(user) }
    var (themes, warnings) = ThemeLibrary.load(directories: dirs)
    guard let wanted = theme else { return (themes, nil, warnings) }
    if wanted.hasSuffix(".yaml") || wanted.hasSuffix(".yml") || wanted.contains("/") {
      let t = try ThemeLibrary.read(path: wanted)
      if let i = themes.firstIndex(where: { $0.name == t.name }) { themes[i] = t } else { themes.append(t) }
      return (themes, themes.firstIndex { $0.name == t.name }, warnings)
    }
    guard let i = themes.firstIndex(where: { $0.name == wanted }) else {
      throw TerminalError(description: "unknown theme '\(wanted)' (have: \(themes.map(\.name).joined(separator: ", ")))")
    }
    return (themes, i, warnings)
  }
}

/// A flag another thread raises once; the UI thread polls it.
final class CloseLatch: @unchecked Sendable {
  private let lock = NSLock()
  private var raised = false

  func set() {
    lock.lock()
    raised = true
    lock.unlock()
  }

  var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return raised
  }
}

/// The live state behind a lock: the event task folds into it, the UI thread copies it out.
final class StateStore: @unchecked Sendable {
  private let lock = NSLock()
  private var state = DashboardState()
  private var finished = false

  /// Folds one event (called for every event, never blocks for long).
  func apply(_ e: RunEvent) {
    lock.lock()
    state.apply(e)
    lock.unlock()
  }

  /// Folds many events at once (replay).
  func apply(_ events: [RunEvent]) {
    lock.lock()
    state.apply(events)
    lock.unlock()
  }

  /// Marks the end of the event stream.
  func finish() {
    lock.lock()
    finished = true
    lock.unlock()
  }

  /// A copy of the state (copy-on-write: cheap until the next event lands) and whether the
  /// stream has ended.
  func snapshot() -> (DashboardState, Bool) {
    lock.lock()
    defer { lock.unlock() }
    return (state, finished)
  }

  /// Events folded so far, to know when to redraw.
  var eventCount: Int {
    lock.lock()
    defer { lock.unlock() }
    return state.eventCount
  }
}
