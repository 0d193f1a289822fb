import RunProtocol

// What the user has done to the view, as opposed to what the run has done (DashboardState).
// Keys change only this; render(state, view, size) reads both; so every key is testable
// without a terminal.

/// The layouts `1`–`4` select.
public enum LayoutPreset: Int, CaseIterable, Sendable {
  /// Charts, samples, hyperparameters, evaluation and log (DASHBOARD.md's screen).
  case standard = 1
  /// The four charts only.
  case charts = 2
  /// The samples panel on the whole screen.
  case samples = 3
  /// Hyperparameters beside the log, for steering.
  case control = 4

  public var label: String {
    switch self {
    case .standard: return "default"
    case .charts: return "charts"
    case .samples: return "samples"
    case .control: return "hyperparameters+log"
    }
  }
}

/// The panels of the dashboard.
public enum PanelKind: String, CaseIterable, Sendable {
  case reward, advantages, kl, discriminator, samples, hyperparameters, evaluation, log

  /// Panels that draw line charts (`l` toggles their log-y).
  public var isChart: Bool { self == .reward || self == .kl || self == .discriminator }
}

/// How line charts draw their dots.
public enum ChartMode: String, CaseIterable, Sendable {
  /// Braille, 2×4 dots a cell.
  case braille
  /// Quadrant blocks, 2×2 a cell (fonts without braille).
  case block
  /// Plain ASCII, 1×2 a cell (anything).
  case ascii
}

/// A key, decoded from the terminal.
public enum Key: Equatable, Sendable {
  case char(Character)
  case up, down, left, right, enter, escape, tab, backTab, backspace, home, end, pageUp, pageDown, resize
  case function(Int)
}

/// An inline hyperparameter edit in progress.
public struct HyperparameterEdit: Equatable, Sendable {
  public var key: String
  /// The value as typed (or as the nudge keys left it).
  public var text: String
  /// Why the current text would be refused, shown inline.
  public var error: String?
  /// True until the first keystroke, which then replaces the text instead of appending.
  public var fresh = true
}

/// The user's side of the dashboard.
public struct ViewState: Sendable {
  /// The EMA weights `m` cycles through (0 = raw only).
  public static let smoothingLevels: [Double] = [0, 0.6, 0.8, 0.9, 0.95, 0.99]

  public var preset: LayoutPreset = .standard
  public var focus: PanelKind = .reward
  /// The panel shown on the whole body, if any.
  public var expanded: PanelKind?
  public var chartMode: ChartMode = .braille
  public var smoothingIndex = 2
  /// Chart panels with a logarithmic y axis (KL's by default: it spans decades).
  public var logY: Set<PanelKind> = [.kl]
  /// Iterations the charts show, ending at the latest; nil shows the whole run.
  public var window: Int?
  /// When frozen, the app renders a copy of the state taken at the moment of freezing.
  public var frozen = false
  public var themes: [Theme]
  public var themeIndex = 0
  public var colorMode: ColorMode
  /// Why this colour mode was chosen (shown in the help overlay).
  public var colorReason = ""
  public var showHelp = false
  public var selectedSample = 0
  /// Index into the sample history; nil follows the latest group.
  public var sampleHistory: Int?
  /// One sample zoomed beside its references.
  public var zoomSample = false
  public var selectedHyperparameter = 0
  public var edit: HyperparameterEdit?
  /// Asking "stop training? (y/n)".
  public var confirmStop = false
  /// A stop was sent; the app waits for the run to end.
  public var stopping = false
  /// Control keys off, and why ("--read-only", "replay of a finished run").
  public var readOnly: String?
  /// `q` leaves at once: the run belongs to another process and goes on (attach).
  public var quitLeavesRunRunning = false
  /// A one-line note in the key bar (command sent, refusal, hint).
  public var message: String?
  public var messageIsError = false
  /// Values sent with `set` that the run has not echoed back yet.
  public var pending: [String: JSONValue] = [:]
  /// Lines scrolled back from the end of the log.
  public var logScroll = 0
  /// "live", "replay", "attach": shown in the status bar.
  public var source = "live"

  public init(colorMode: ColorMode, themes: [Theme] = ThemeLibrary.builtins, themeIndex: Int = 0, readOnly: String? = nil) {
    self.colorMode = colorMode
    self.themes = themes.isEmpty ? [Theme.fallback] : themes
    self.themeIndex = min(max(0, themeIndex), self.themes.count - 1)
    self.readOnly = readOnly
  }

  public var theme: Theme { themes[min(max(0, themeIndex), themes.count - 1)] }
  public var smoothing: Double { Self.smoothingLevels[smoothingIndex % Self.smoothingLevels.count] }

  /// Sets the key-bar note.
  public mutating func note(_ text: String, error: Bool = false) {
    message = text
    messageIsError = error
  }

  /// The sample group on screen: the scrubbed one, or the latest.
  public func sampleGroupIndex(in state: DashboardState) -> Int? {
    guard !state.sampleGroups.isEmpty else { return nil }
    return min(max(0, sampleHistory ?? state.sampleGroups.count - 1), state.sampleGroups.count - 1)
  }

  /// The x range the charts show: the whole run, or the last `window` iterations. The window
  /// start moves in steps of a quarter window so the picture does not shift every iteration.
  public func xRange(_ state: DashboardState) -> ClosedRange<Double> {
    let domain = state.iterationDomain
    guard let w = window, Double(w) < domain.upperBound - domain.lowerBound else { return domain }
    let step = max(1, w / 4)
    let last = max(state.status.iteration, Int(domain.lowerBound))
    let end = ((last + step - 1) / step) * step + step
    let start = max(domain.lowerBound, Double(end - w - step))
    return start...Double(end)
  }
}
