// Colour depth: how many colours the terminal shows, and how a 24-bit colour is reduced to
// what it has (below). The depth is decided in DASHBOARD.md's order: flag, NO_COLOR,
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

// Mapping 24-bit colours to what a 256- or 16-colour terminal has. xterm's 6×6×6 cube uses the
// levels 0, 95, 135, 175, 215, 255, not multiples of 51: `round(x/51)` (btop's formula) sends
// 95 to level 2 (135), 40 off. The nearest level is found with the midpoints between levels,
// and the grey ramp (232–255, value 8 + 10k) competes with the cube on distance.

/// xterm palette arithmetic.
public enum XtermPalette {
  /// The six channel levels of the colour cube.
  public static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

  /// Cube level index 0…5 for each channel value, computed once from the midpoints
  /// 47.5 / 115 / 155 / 195 / 235.
  static let levelOf: [UInt8] = (0..<256).map { v in
    var best = 0
    for (i, l) in cubeLevels.enumerated() where abs(l - v) < abs(cubeLevels[best] - v) { best = i }
    return UInt8(best)
  }

  /// The nearest cube level index for a channel value (95 → 1, 96 → 1, 47 → 0, 48 → 1).
  public static func cubeLevel(_ v: UInt8) -> Int { Int(levelOf[Int(v)]) }

  /// The xterm-256 index nearest to (r, g, b): the nearest cube colour or the nearest grey,
  /// whichever is closer (squared RGB distance weighted like "redmean").
  public static func index256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    let ri = cubeLevel(r), gi = cubeLevel(g), bi = cubeLevel(b)
    let cube = (cubeLevels[ri], cubeLevels[gi], cubeLevels[bi])
    let avg = (Int(r) + Int(g) + Int(b)) / 3
    let k = min(max(Int((Double(avg - 8) / 10).rounded()), 0), 23)
    let grey = 8 + 10 * k
    let dCube = distance((Int(r), Int(g), Int(b)), cube)
    let dGrey = distance((Int(r), Int(g), Int(b)), (grey, grey, grey))
    if dGrey < dCube { return UInt8(232 + k) }
    return UInt8(16 + 36 * ri + 6 * gi + bi)
  }

  /// "Redmean" weighted distance: cheap and closer to perception than plain RGB.
  static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
    let rm = (a.0 + b.0) / 2
    let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
    // Swift's >> binds tighter than *, hence the inner parentheses.
    return (((512 + rm) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rm) * db * db) >> 8)
  }

  /// xterm's default values of the 16 system colours (terminals theme them, so these are only
  /// the best guess for mapping pictures; themes for 16 colours name palette indices instead).
  public static let system16: [(Int, Int, Int)] = [
    (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
  ]

  /// The nearest of the 16 system colours.
  public static func index16(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
    var best = 0, bestD = Int.max
    for (i, c) in system16.enumerated() {
      let d = distance((Int(r), Int(g), Int(b)), c)
      if d < bestD {
        bestD = d
        best = i
      }
    }
    return UInt8(best)
  }

  /// The RGB value of a palette index under xterm's defaults.
  public static func rgb(ofIndex i: UInt8) -> (UInt8, UInt8, UInt8) {
    let n = Int(i)
    if n < 16 {
      let c = system16[n]
      return (UInt8(c.0), UInt8(c.1), UInt8(c.2))
    }
    if n >= 232 {
      let v = UInt8(8 + 10 * (n - 232))
      return (v, v, v)
    }
    let c = n - 16
    return (UInt8(cubeLevels[c / 36]), UInt8(cubeLevels[(c / 6) % 6]), UInt8(cubeLevels[c % 6]))
  }

  /// A colour reduced to what `mode` can show: the terminal colour number to use, or nil for
  /// the terminal default. Direct colour packs RGB as 0xRRGGBB; values below 8 would read as
  /// ANSI colours in xterm-direct's terminfo, so the darkest blues are nudged to 8.
  public static func terminalColor(_ c: CellColor, mode: ColorMode, maxColors: Int = 1 << 24) -> Int? {
    switch (c, mode) {
    case (_, .none), (.default, _): return nil
    case (.rgb(let r, let g, let b), .truecolor):
      return max(8, Int(r) << 16 | Int(g) << 8 | Int(b))
    case (.palette(let p), .truecolor):
      if p < 8 { return Int(p) }
      let (r, g, b) = rgb(ofIndex: p)
      return max(8, Int(r) << 16 | Int(g) << 8 | Int(b))
    case (.rgb(let r, let g, let b), .xterm256): return Int(index256(r, g, b))
    case (.palette(let p), .xterm256): return Int(p)
    case (.rgb(let r, let g, let b), .ansi16): return fold(Int(index16(r, g, b)), maxColors)
    case (.palette(let p), .ansi16):
      if p < 16 { return fold(Int(p), maxColors) }
      let (r, g, b) = rgb(ofIndex: p)
      return fold(Int(index16(r, g, b)), maxColors)
    }
  }

  /// Bright colours become their normal ones on an 8-colour terminal.
  static func fold(_ i: Int, _ maxColors: Int) -> Int { maxColors < 16 && i >= 8 ? i - 8 : i }
}
