// Which characters take exactly one cell. The pure layer cannot ask wcwidth (it depends on the
// process locale), so it keeps its own small table: East Asian wide and fullwidth ranges,
// emoji shown as pictures, combining marks and controls. Box drawing and block elements are
// "ambiguous" width; like btop and htop we treat them as one cell (CJK-configured terminals
// are out of scope), while braille and block elements are one cell everywhere.

/// One-cell-wide character checks for the grid.
public enum CellWidth {
  /// Wide (two-cell) ranges from Unicode's EastAsianWidth W and F classes, coarsened.
  private static let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0,
    0x23F3...0x23F3, 0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F,
    0x2693...0x2693, 0x26A1...0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5,
    0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA, 0x26F2...0x26F5, 0x26FA...0x26FD,
    0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728, 0x274C...0x274C, 0x2753...0x2755,
    0x2757...0x2757, 0x2795...0x2797, 0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C,
    0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
    0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
    0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F000...0x1FAFF,
    0x20000...0x3FFFD,
  ]

  /// True when the scalar occupies exactly one terminal cell.
  @inline(__always)
  public static func isSingle(_ s: Unicode.Scalar) -> Bool {
    let v = s.value
    // The fast path covers ASCII text and the box, block and braille ranges we draw with.
    if v >= 0x20 && v < 0x7F { return true }
    if v >= 0x2500 && v <= 0x259F { return true }
    if v >= 0x2800 && v <= 0x28FF { return true }
    if v < 0x20 || (v >= 0x7F && v < 0xA0) { return false }
    if isZeroWidth(s) { return false }
    for r in wideRanges where r.contains(v) { return false }
    return true
  }

  /// Combining marks and format characters: they take no cell of their own.
  public static func isZeroWidth(_ s: Unicode.Scalar) -> Bool {
    if s.value < 0x300 { return false }
    switch s.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .spacingMark, .format: return true
    default: return false
    }
  }

  /// The number of cells `text` takes when drawn by `CellGrid.text` (wide characters are
  /// replaced by one "?" there, so they count one).
  public static func count(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { $0 + (isZeroWidth($1) ? 0 : 1) }
  }
}

/// Box-drawing and text helpers shared by the panels.
extension CellGrid {
  /// A single-line frame around `rect` with an optional title on the top edge
  /// ("┌ Title ──┐"); the title is cut with "…" when the frame is narrow.
  public mutating func box(_ rect: Rect, title: String = "", style: Style, titleStyle: Style) {
    guard rect.width >= 2, rect.height >= 2 else { return }
    let x0 = rect.x, y0 = rect.y, x1 = rect.maxX - 1, y1 = rect.maxY - 1
    for x in (x0 + 1)..<x1 {
      put(x, y0, "─", style)
      put(x, y1, "─", style)
    }
    for y in (y0 + 1)..<y1 {
      put(x0, y, "│", style)
      put(x1, y, "│", style)
    }
    put(x0, y0, "┌", style)
    put(x1, y0, "┐", style)
    put(x0, y1, "└", style)
    put(x1, y1, "┘", style)
    if !title.isEmpty, rect.width >= 6 {
      put(x0 + 1, y0, " ", titleStyle)
      let used = text(x0 + 2, y0, title, titleStyle, maxWidth: rect.width - 5)
      put(x0 + 2 + used, y0, " ", titleStyle)
    }
  }

  /// Text centred in a row of `rect`.
  public mutating func centered(_ y: Int, in rect: Rect, _ string: String, _ style: Style) {
    let n = min(CellWidth.count(string), rect.width)
    text(rect.x + (rect.width - n) / 2, y, string, style, maxWidth: rect.width)
  }

  /// Text right-aligned so it ends at the right edge of `rect`.
  public mutating func rightAligned(_ y: Int, in rect: Rect, _ string: String, _ style: Style) {
    let n = min(CellWidth.count(string), rect.width)
    text(rect.maxX - n, y, string, style, maxWidth: rect.width)
  }

  /// Draws styled segments left to right from (x, y) within `maxWidth`; returns cells used.
  @discardableResult
  public mutating func segments(_ x: Int, _ y: Int, _ parts: [(String, Style)], maxWidth: Int) -> Int {
    var col = 0
    for (s, st) in parts {
      if col >= maxWidth { break }
      col += text(x + col, y, s, st, maxWidth: maxWidth - col)
    }
    return col
  }
}
