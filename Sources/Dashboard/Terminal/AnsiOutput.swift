import Foundation

// ANSI text without a terminal, for two jobs. The benchmark's byte count: the cells that
// differ from the previous frame, each preceded by a cursor move when it does not follow the
// previous write and an SGR when its style differs, which are the escape sequences ncurses
// sends for a direct-colour, 256- or 16-colour terminal (ncurses is sometimes smarter with
// cursor moves, so this is an upper bound). And snapshots (`s`, beside the PNG): the whole
// screen as an .ans file that `cat` or `less -R` shows again, and a plain .txt copy.

/// ANSI output for the difference between two frames, and whole-frame snapshots.
public enum AnsiDiff {
  /// The escape sequences and characters that turn `previous` into `next` on screen (the
  /// whole frame when `previous` is nil or of another size).
  public static func bytes(from previous: CellGrid?, to next: CellGrid, mode: ColorMode) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(1024)
    var cursor: (Int, Int)? = nil
    var current: Style? = nil
    let full = previous == nil || previous?.width != next.width || previous?.height != next.height
    for y in 0..<next.height {
      for x in 0..<next.width {
        let cell = next[x, y]
        if !full, let p = previous, p[x, y] == cell { continue }
        if cursor == nil || cursor?.0 != x || cursor?.1 != y { append(&out, "\u{1B}[\(y + 1);\(x + 1)H") }
        if current != cell.style {
          sgr(&out, cell.style, mode: mode)
          current = cell.style
        }
        out.append(contentsOf: Array(String(cell.scalar).utf8))
        cursor = (x + 1, y)
      }
    }
    return out
  }

  /// The number of bytes `bytes(from:to:mode:)` would produce.
  public static func count(from previous: CellGrid?, to next: CellGrid, mode: ColorMode) -> Int {
    bytes(from: previous, to: next, mode: mode).count
  }

  /// Cells that differ between two frames of the same size.
  public static func changedCells(_ a: CellGrid, _ b: CellGrid) -> Int {
    guard a.width == b.width, a.height == b.height else { return b.width * b.height }
    var n = 0
    for i in b.cells.indices where a.cells[i] != b.cells[i] { n += 1 }
    return n
  }

  static func append(_ out: inout [UInt8], _ s: String) { out.append(contentsOf: Array(s.utf8)) }

  /// One SGR resetting attributes, then the style's attributes and colours.
  static func sgr(_ out: inout [UInt8], _ st: Style, mode: ColorMode) {
    var parts = ["0"]
    if st.attrs.contains(.bold) { parts.append("1") }
    if st.attrs.contains(.dim) { parts.append("2") }
    if st.attrs.contains(.underline) { parts.append("4") }
    if st.attrs.contains(.reverse) { parts.append("7") }
    if let fg = color(st.fg, mode: mode, background: false) { parts.append(fg) }
    if let bg = color(st.bg, mode: mode, background: true) { parts.append(bg) }
    append(&out, "\u{1B}[" + parts.joined(separator: ";") + "m")
  }

  /// The SGR parameter for a colour in `mode`, nil for the terminal default.
  static func color(_ c: CellColor, mode: ColorMode, background: Bool) -> String? {
    guard let n = XtermPalette.terminalColor(c, mode: mode) else { return nil }
    let base = background ? 40 : 30
    switch mode {
    case .none: return nil
    case .ansi16: return n < 8 ? "\(base + n)" : "\(base + 60 + n - 8)"
    case .xterm256: return "\(base + 8);5;\(n)"
    case .truecolor:
      if case .palette(let p) = c, p < 8 { return "\(base + Int(p))" }
      return "\(base + 8);2;\(n >> 16 & 255);\(n >> 8 & 255);\(n & 255)"
    }
  }

  /// The whole grid as lines of text with SGR colours, each line ending in a reset.
  public static func frame(_ grid: CellGrid, mode: ColorMode) -> String {
    var out: [UInt8] = []
    for y in 0..<grid.height {
      var current: Style? = nil
      for x in 0..<grid.width {
        let cell = grid[x, y]
        if current != cell.style {
          sgr(&out, cell.style, mode: mode)
          current = cell.style
        }
        out.append(contentsOf: Array(String(cell.scalar).utf8))
      }
      append(&out, "\u{1B}[0m\n")
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Writes `<directory>/<name>.ans` (colours) and `.txt` (plain), each through a temporary
  /// file and a rename so a crash never leaves half a snapshot; returns the .ans path.
  public static func writeSnapshot(_ grid: CellGrid, mode: ColorMode, directory: String, name: String) throws -> String {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let base = (directory as NSString).appendingPathComponent(name)
    for (ext, text) in [("ans", frame(grid, mode: mode == .none ? .xterm256 : mode)), ("txt", grid.text + "\n")] {
      let tmp = base + "." + ext + ".tmp"
      try text.write(toFile: tmp, atomically: false, encoding: .utf8)
      if FileManager.default.fileExists(atPath: base + "." + ext) { try FileManager.default.removeItem(atPath: base + "." + ext) }
      try FileManager.default.moveItem(atPath: tmp, toPath: base + "." + ext)
    }
    return base + ".ans"
  }
}
