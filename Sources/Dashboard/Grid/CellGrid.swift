// The screen as plain values: widgets draw into a CellGrid, tests read it back, and only the
// terminal backend turns it into escape sequences. Nothing here knows about ncurses.

/// A colour as a widget asks for it; the backend maps it to what the terminal can show.
public enum CellColor: Hashable, Sendable {
  /// The terminal's own foreground or background (transparent background).
  case `default`
  /// A 24-bit colour.
  case rgb(UInt8, UInt8, UInt8)
  /// An index into the terminal's palette (0–15 are the user-themed system colours).
  case palette(UInt8)

  /// Linear mix of two RGB colours (t = 0 gives self); other kinds switch at the midpoint
  /// because palette entries cannot be interpolated.
  public func mixed(with other: CellColor, _ t: Double) -> CellColor {
    let t = min(max(t, 0), 1)
    guard case .rgb(let r0, let g0, let b0) = self, case .rgb(let r1, let g1, let b1) = other else {
      return t < 0.5 ? self : other
    }
    func lerp(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
    return .rgb(lerp(r0, r1), lerp(g0, g1), lerp(b0, b1))
  }
}

/// Text attributes a cell may carry.
public struct CellAttributes: OptionSet, Hashable, Sendable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }
  public static let bold = CellAttributes(rawValue: 1)
  public static let dim = CellAttributes(rawValue: 2)
  public static let reverse = CellAttributes(rawValue: 4)
  public static let underline = CellAttributes(rawValue: 8)
}

/// Foreground, background and attributes: everything about a cell but its character.
public struct Style: Hashable, Sendable {
  public var fg: CellColor
  public var bg: CellColor
  public var attrs: CellAttributes
  public init(fg: CellColor = .default, bg: CellColor = .default, attrs: CellAttributes = []) {
    self.fg = fg
    self.bg = bg
    self.attrs = attrs
  }
  /// The same style with extra attributes.
  public func with(_ extra: CellAttributes) -> Style { Style(fg: fg, bg: bg, attrs: attrs.union(extra)) }
  /// The same style on another background.
  public func on(_ bg: CellColor) -> Style { Style(fg: fg, bg: bg, attrs: attrs) }
}

/// One terminal cell: a one-cell-wide scalar and its style.
public struct Cell: Hashable, Sendable {
  public var scalar: Unicode.Scalar
  public var style: Style
  public init(_ scalar: Unicode.Scalar = " ", _ style: Style = Style()) {
    self.scalar = scalar
    self.style = style
  }
  /// The blank cell a new grid is filled with.
  public static let blank = Cell()
}

/// A rectangle of cells; x grows right, y grows down.
public struct Rect: Hashable, Sendable, CustomStringConvertible {
  public var x: Int, y: Int, width: Int, height: Int
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = max(0, width)
    self.height = max(0, height)
  }
  public var maxX: Int { x + width }
  public var maxY: Int { y + height }
  public var isEmpty: Bool { width == 0 || height == 0 }
  public func contains(_ px: Int, _ py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
  /// The rectangle shrunk by `d` on every side (the inside of a border when d = 1).
  public func inset(_ d: Int) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
  /// The overlap of two rectangles (empty when they do not meet).
  public func intersection(_ o: Rect) -> Rect {
    let x0 = max(x, o.x), y0 = max(y, o.y)
    return Rect(x: x0, y: y0, width: min(maxX, o.maxX) - x0, height: min(maxY, o.maxY) - y0)
  }
  public func intersects(_ o: Rect) -> Bool { !intersection(o).isEmpty }
  /// The top `n` rows, and what is left below them.
  public func splitTop(_ n: Int) -> (Rect, Rect) {
    let k = min(max(0, n), height)
    return (Rect(x: x, y: y, width: width, height: k), Rect(x: x, y: y + k, width: width, height: height - k))
  }
  /// The left `n` columns, and what is left to their right.
  public func splitLeft(_ n: Int) -> (Rect, Rect) {
    let k = min(max(0, n), width)
    return (Rect(x: x, y: y, width: k, height: height), Rect(x: x + k, y: y, width: width - k, height: height))
  }
  public var description: String { "(\(x),\(y) \(width)×\(height))" }
}

/// A width × height screen of cells with a clip rectangle: every write outside the clip is
/// dropped, so a panel cannot scribble over its neighbours whatever its widgets compute.
public struct CellGrid: Equatable, Sendable {
  public let width: Int
  public let height: Int
  public private(set) var cells: [Cell]
  /// Writes land only inside this rectangle (the whole grid by default).
  public var clip: Rect

  public init(width: Int, height: Int, fill: Cell = .blank) {
    self.width = max(0, width)
    self.height = max(0, height)
    cells = [Cell](repeating: fill, count: self.width * self.height)
    clip = Rect(x: 0, y: 0, width: self.width, height: self.height)
  }

  public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

  /// The cell at (x, y); a blank cell outside the grid.
  public subscript(x: Int, y: Int) -> Cell {
    guard x >= 0, x < width, y >= 0, y < height else { return .blank }
    return cells[y * width + x]
  }

  /// Runs `body` with writes confined to `rect` (and the previous clip), then restores it.
  public mutating func clipped(to rect: Rect, _ body: (inout CellGrid) -> Void) {
    let saved = clip
    clip = saved.intersection(rect)
    body(&self)
    clip = saved
  }

  /// Writes one cell if it lies inside the clip; wide or zero-width scalars become "?" so the
  /// grid never holds a character that would shift the rest of the row.
  @inline(__always)
  public mutating func put(_ x: Int, _ y: Int, _ scalar: Unicode.Scalar, _ style: Style) {
    guard clip.contains(x, y) else { return }
    cells[y * width + x] = Cell(CellWidth.isSingle(scalar) ? scalar : "?", style)
  }

  /// Changes only the style of a cell (keeps its character).
  public mutating func restyle(_ x: Int, _ y: Int, _ style: Style) {
    guard clip.contains(x, y) else { return }
    cells[y * width + x].style = style
  }

  /// Fills a rectangle with one character and style.
  public mutating func fill(_ rect: Rect, _ scalar: Unicode.Scalar = " ", _ style: Style = Style()) {
    let r = rect.intersection(clip)
    guard !r.isEmpty else { return }
    let cell = Cell(CellWidth.isSingle(scalar) ? scalar : "?", style)
    for y in r.y..<r.maxY {
      let row = y * width
      for x in r.x..<r.maxX { cells[row + x] = cell }
    }
  }

  /// Writes text from (x, y) going right, at most `maxWidth` cells; returns the cells used.
  /// Text that does not fit ends in "…" so a cut is visible.
  @discardableResult
  public mutating func text(_ x: Int, _ y: Int, _ string: String, _ style: Style, maxWidth: Int = .max) -> Int {
    guard maxWidth > 0 else { return 0 }
    var col = 0
    let scalars = Array(string.unicodeScalars.filter { !CellWidth.isZeroWidth($0) })
    for (i, s) in scalars.enumerated() {
      if col >= maxWidth { break }
      if col == maxWidth - 1 && i < scalars.count - 1 {
        put(x + col, y, "…", style)
        return maxWidth
      }
      put(x + col, y, s, style)
      col += 1
    }
    return col
  }

  /// The characters of one row as a String (for tests and text snapshots).
  public func row(_ y: Int) -> String {
    guard y >= 0, y < height else { return "" }
    var s = String.UnicodeScalarView()
    for x in 0..<width { s.append(cells[y * width + x].scalar) }
    return String(s)
  }

  /// The whole grid as lines of text, trailing blanks trimmed.
  public var text: String {
    (0..<height).map { y in
      var line = row(y)
      while line.hasSuffix(" ") { line.removeLast() }
      return line
    }.joined(separator: "\n")
  }
}
