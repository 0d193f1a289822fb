@preconcurrency import CNCurses
import Foundation

// The only file that talks to ncurses. It shows CellGrids: cells that differ from the last
// frame are written with mvwadd_wch, then one doupdate() sends ncurses' own minimal diff. The
// traps tui-anchors.md verified on this machine are handled here: setlocale before newterm
// (otherwise wide characters print blank), NCURSES_WIDECHAR in the shim, ncurses' own
// KEY_RESIZE (no SIGWINCH handler of ours), set_escdelay(25), and endwin() on every exit path.

/// Failures to start the terminal.
public struct TerminalError: Error, CustomStringConvertible {
  public var description: String
}

// Signal and exit handlers cannot capture context, so the state they need is global. Only the
// UI thread writes it, before the handlers are installed and after they are removed.
nonisolated(unsafe) private var cursesActive = false
nonisolated(unsafe) private var exitHookInstalled = false
nonisolated(unsafe) private var savedActions: [sigaction] = Array(repeating: sigaction(), count: 65)
nonisolated(unsafe) private var restoredSignals: [Int32] = []
/// Signals that end the process: restore the terminal first. SIGINT, SIGTERM and SIGHUP are
/// left out when the caller turns them into a graceful stop of the run (it saves a checkpoint
/// and then closes the dashboard, which restores the terminal on its way out).
private let terminationSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
private let fatalSignals: [Int32] = [SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

/// Restores the terminal, then lets the signal do what it would have done without us (the
/// previous handler, e.g. Swift's crash backtracer, or the default: exit).
private func restoreTerminalAndReraise(_ sig: Int32) {
  if cursesActive {
    cursesActive = false
    endwin()
  }
  if sig >= 0 && sig < 65 {
    var old = savedActions[Int(sig)]
    sigaction(sig, &old, nil)
  }
  raise(sig)
}

/// An ncurses screen that shows CellGrids and reads keys.
final class CursesTerminal {
  /// The colour depth in effect (after terminfo had its say) and why.
  private(set) var color: ColorDecision
  private var screen: OpaquePointer?
  private var output: UnsafeMutablePointer<FILE>?
  private var input: UnsafeMutablePointer<FILE>?
  private var previous: CellGrid?
  private var pairs: [UInt64: Int32] = [:]
  private var nextPair: Int32 = 1
  private var pairsReset = false
  private var maxColors = 0
  private var attrBits: [attr_t] = []

  /// Opens the terminal named by TERM (or its direct-colour sibling when 24-bit colour is
  /// wanted and TERM's own entry declares fewer colours).
  init(colorFlag: ColorMode?, environment env: [String: String], handleTermination: Bool = true) throws {
    setlocale(LC_ALL, "")
    guard let term = env["TERM"], !term.isEmpty else { throw TerminalError(description: "TERM is not set; the dashboard needs a terminal (or use --headless)") }
    guard isatty(0) != 0, isatty(1) != 0 else { throw TerminalError(description: "standard input and output must be a terminal for the dashboard") }
    let own = Int(grp_terminfo_colors(term))
    let tty = ttyname(1).map { String(cString: $0) }
    var decision = ColorDetector.detect(flag: colorFlag, environment: env, terminfoColors: own > 0 ? own : nil, ttyPath: tty)
    var name = term
    if decision.mode == .truecolor && own < 1 << 24 {
      if let direct = ColorDetector.directCandidates(term: term).first(where: { grp_terminfo_colors($0) >= 1 << 24 }) {
        name = direct
        decision.reason += ", drawn through terminfo \(direct)"
      } else {
        decision = ColorDecision(mode: .xterm256, reason: decision.reason + "; no direct-colour terminfo, so 256")
      }
    }
    output = fdopen(dup(1), "w")
    input = fdopen(dup(0), "r")
    // Our handlers go in before newterm: ncurses then leaves SIGINT/SIGTERM alone (its own
    // handler would exit(1) instead of letting the signal end the process as it should).
    restoredSignals = (handleTermination ? terminationSignals : []) + fatalSignals
    Self.installHandlers()
    screen = newterm(name, output, input)
    guard screen != nil else {
      Self.restoreHandlers()
      throw TerminalError(description: "cannot open terminal '\(name)' (no terminfo entry?)")
    }
    color = decision
    attrBits = [attr_t(grp_attr_bold()), attr_t(grp_attr_dim()), attr_t(grp_attr_reverse()), attr_t(grp_attr_underline())]
    cursesActive = true
    let win = grp_stdscr()
    cbreak()
    noecho()
    nonl()
    keypad(win, true)
    set_escdelay(25)
    curs_set(0)
    wtimeout(win, 30)
    if color.mode != .none {
      if has_colors() {
        start_color()
        use_default_colors()
        maxColors = Int(grp_colors())
        if color.mode == .xterm256 && maxColors < 256 { color = ColorDecision(mode: .ansi16, reason: color.reason + "; terminal has \(maxColors) colours") }
      } else {
        color = ColorDecision(mode: .none, reason: color.reason + "; terminal has no colour")
      }
    }
  }

  /// The current size (ncurses updates it itself on KEY_RESIZE).
  var size: TerminalSize {
    let win = grp_stdscr()
    return TerminalSize(width: Int(getmaxx(win)), height: Int(getmaxy(win)))
  }

  private static func installHandlers() {
    for sig in restoredSignals {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = restoreTerminalAndReraise
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      sigaction(sig, &action, &savedActions[Int(sig)])
    }
    guard !exitHookInstalled else { return }
    exitHookInstalled = true
    atexit {
      if cursesActive {
        cursesActive = false
        endwin()
      }
    }
  }

  private static func restoreHandlers() {
    for sig in restoredSignals {
      var old = savedActions[Int(sig)]
      sigaction(sig, &old, nil)
    }
  }

  /// Shows `grid`: only cells that changed since the last frame are written, then one
  /// doupdate() sends the minimal update.
  func present(_ grid: CellGrid) {
    let win = grp_stdscr()
    let full = previous == nil || previous?.width != grid.width || previous?.height != grid.height
    if full { werase(win) }
    var cell = cchar_t()
    for y in 0..<grid.height {
      for x in 0..<grid.width {
        let c = grid[x, y]
        if !full, let p = previous, p[x, y] == c { continue }
        grp_set_cell(&cell, wchar_t(bitPattern: c.scalar.value), attributes(c.style.attrs), pair(c.style))
        mvwadd_wch(win, Int32(y), Int32(x), &cell)
      }
    }
    // Cells written before a pair reset in this frame may show redefined pairs: the next
    // frame is written whole.
    previous = pairsReset ? nil : grid
    pairsReset = false
    wnoutrefresh(win)
    doupdate()
  }

  /// True when the next frame must be written whole (after a resize or a pair-cache reset).
  var needsRepaint: Bool { previous == nil }

  /// Forgets the last frame so the next one is written whole (after a resize).
  func invalidate() {
    previous = nil
  }

  private func attributes(_ a: CellAttributes) -> attr_t {
    var bits = attr_t(grp_attr_normal())
    if a.contains(.bold) { bits |= attrBits[0] }
    if a.contains(.dim) { bits |= attrBits[1] }
    if a.contains(.reverse) { bits |= attrBits[2] }
    if a.contains(.underline) { bits |= attrBits[3] }
    return bits
  }

  /// The colour pair for a style, allocated on first use. When every pair is taken the cache
  /// starts over and the next frame is written whole, so on-screen cells never keep a pair
  /// that was redefined under them.
  private func pair(_ st: Style) -> Int32 {
    guard color.mode != .none else { return 0 }
    let fg = XtermPalette.terminalColor(st.fg, mode: color.mode, maxColors: maxColors) ?? -1
    let bg = XtermPalette.terminalColor(st.bg, mode: color.mode, maxColors: maxColors) ?? -1
    if fg == -1 && bg == -1 { return 0 }
    let key = UInt64(UInt32(bitPattern: Int32(fg))) << 32 | UInt64(UInt32(bitPattern: Int32(bg)))
    if let p = pairs[key] { return p }
    if nextPair >= grp_color_pairs() {
      pairs.removeAll(keepingCapacity: true)
      nextPair = 1
      pairsReset = true
    }
    let p = nextPair
    nextPair += 1
    init_extended_pair(p, Int32(fg), Int32(bg))
    pairs[key] = p
    return p
  }

  /// The next key, waiting at most `timeoutMs` (0: do not wait); nil when none came.
  func readKey(timeoutMs: Int32) -> Key? {
    let win = grp_stdscr()
    wtimeout(win, timeoutMs)
    var ch: wint_t = 0
    let r = wget_wch(win, &ch)
    if r == ERR { return nil }
    if r == KEY_CODE_YES {
      switch Int32(ch) {
      case KEY_UP: return .up
      case KEY_DOWN: return .down
      case KEY_LEFT: return .left
      case KEY_RIGHT: return .right
      case KEY_ENTER: return .enter
      case KEY_BACKSPACE: return .backspace
      case KEY_HOME: return .home
      case KEY_END: return .end
      case KEY_PPAGE: return .pageUp
      case KEY_NPAGE: return .pageDown
      case KEY_BTAB: return .backTab
      case KEY_RESIZE:
        previous = nil
        return .resize
      case KEY_F0...(KEY_F0 + 24): return .function(Int(Int32(ch) - KEY_F0))
      default: return nil
      }
    }
    switch ch {
    case 9: return .tab
    case 10, 13: return .enter
    case 27: return .escape
    case 8, 127: return .backspace
    default:
      guard let s = Unicode.Scalar(UInt32(ch)) else { return nil }
      return .char(Character(s))
    }
  }

  /// Restores the terminal and the signal handlers; safe to call twice.
  func shutdown() {
    guard screen != nil else { return }
    if cursesActive {
      cursesActive = false
      curs_set(1)
      endwin()
    }
    Self.restoreHandlers()
    delscreen(screen)
    screen = nil
    if let o = output { fclose(o) }
    if let i = input { fclose(i) }
    output = nil
    input = nil
  }

  deinit { shutdown() }
}
