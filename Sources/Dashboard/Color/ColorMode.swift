// How many colours the terminal shows, decided in DASHBOARD.md's order: flag, NO_COLOR,
// COLORTERM, TERM names, terminfo's colour count, the real console. ssh forwards TERM but not
// COLORTERM, so the flag (and TERM names such as *-direct) matter more than they look.

/// The colour depth the dashboard draws with.
public enum ColorMode: String, Sendable, CaseIterable, Codable {
  case truecolor = "24bit"
  case xterm256 = "256"
  case ansi16 = "16"
  case none

  /// Parses the `--colors` flag's values (also accepts "truecolor", "mono").
  public init?(flag: String) {
    switch flag.lowercased() {
    case "24bit", "24-bit", "truecolor", "direct": self = .truecolor
    case "256": self = .xterm256
    case "16", "8": self = .ansi16
    case "none", "mono", "0", "off": self = .none
    default: return nil
    }
  }

  /// The label shown in the status bar.
  public var label: String {
    switch self {
    case .truecolor: return "24-bit"
    case .xterm256: return "256"
    case .ansi16: return "16"
    case .none: return "mono"
    }
  }
}

/// The decision and the rule that made it (shown in the help overlay, useful over ssh).
public struct ColorDecision: Equatable, Sendable {
  public var mode: ColorMode
  public var reason: String
}

/// Pure colour-depth detection; the backend supplies the environment and terminfo answers.
public enum ColorDetector {
  /// TERM names that mean 24-bit even without COLORTERM (ssh drops COLORTERM).
  static let truecolorTerms = ["xterm-kitty", "kitty", "xterm-ghostty", "ghostty", "wezterm", "alacritty", "foot", "contour"]

  /// Decides the mode. `terminfoColors` is tigetnum("colors") for TERM (nil when unknown);
  /// `ttyPath` is the controlling terminal's path (a real console is /dev/ttyN).
  public static func detect(flag: ColorMode?, environment env: [String: String], terminfoColors: Int?,
                            ttyPath: String?) -> ColorDecision {
    if let flag { return ColorDecision(mode: flag, reason: "--colors \(flag.rawValue)") }
    if let nc = env["NO_COLOR"], !nc.isEmpty { return ColorDecision(mode: .none, reason: "NO_COLOR is set") }
    let colorterm = (env["COLORTERM"] ?? "").lowercased()
    if colorterm == "truecolor" || colorterm == "24bit" {
      return ColorDecision(mode: .truecolor, reason: "COLORTERM=\(colorterm)")
    }
    let term = (env["TERM"] ?? "").lowercased()
    if term.hasSuffix("-direct") || term.contains("truecolor") || term.contains("24bit")
      || truecolorTerms.contains(where: { term == $0 || term.hasPrefix($0 + "-") }) {
      return ColorDecision(mode: .truecolor, reason: "TERM=\(term)")
    }
    if term == "dumb" { return ColorDecision(mode: .none, reason: "TERM=dumb") }
    if let n = terminfoColors, n > 0 {
      if n >= 1 << 24 { return ColorDecision(mode: .truecolor, reason: "terminfo colors#\(n)") }
      if n >= 256 { return ColorDecision(mode: .xterm256, reason: "terminfo colors#\(n)") }
      if n >= 8 { return ColorDecision(mode: .ansi16, reason: "terminfo colors#\(n)") }
    }
    if term == "linux" || isConsole(ttyPath) {
      return ColorDecision(mode: .ansi16, reason: "Linux console")
    }
    return ColorDecision(mode: .none, reason: "no colour support found")
  }

  /// /dev/tty1 … (a virtual console), not /dev/pts/N or /dev/tty itself.
  static func isConsole(_ path: String?) -> Bool {
    guard let p = path, p.hasPrefix("/dev/tty"), p.count > 8 else { return false }
    return p.dropFirst(8).allSatisfy(\.isNumber)
  }

  /// Terminfo names to try, in order, for drawing 24-bit colour through ncurses when TERM
  /// itself declares fewer colours: "tmux-256color" → "tmux-direct", then "xterm-direct".
  public static func directCandidates(term: String) -> [String] {
    var out: [String] = []
    if term.hasSuffix("-direct") { out.append(term) }
    for suffix in ["-256color", "-88color", "-color", "-16color"] where term.hasSuffix(suffix) {
      out.append(String(term.dropLast(suffix.count)) + "-direct")
    }
    if !term.isEmpty, !term.contains("-") { out.append(term + "-direct") }
    out.append("xterm-direct")
    var seen = Set<String>()
    return out.filter { seen.insert($0).inserted }
  }
}
