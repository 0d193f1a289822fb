import Foundation
import RunProtocol

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

  public init(readOnly: String? = nil, colors: ColorMode? = nil, theme: String? = nil, themeDirectories: [String] = [],
              source: String = "live", framesPerSecond: Double = 10,
              environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.readOnly = readOnly
    self.colors = colors
    self.theme = theme
    self.themeDirectories = themeDirectories
    self.source = source
    self.framesPerSecond = framesPerSecond
    self.environment = environment
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
