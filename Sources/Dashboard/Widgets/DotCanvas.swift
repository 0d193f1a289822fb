// A canvas of dots over a rectangle of cells, flushed as braille (2×4 dots a cell), quadrant
// blocks (2×2) or ASCII (1×2). A cell has one foreground colour, so each dot is drawn on a
// layer and the cell takes the colour of its highest layer: the smoothed line beats the raw
// line, which beats a marker, which beats the min–max band.

/// Dot drawing for charts, independent of the glyph set.
public struct DotCanvas {
  /// Dots per cell horizontally and vertically for each chart mode.
  public static func resolution(_ mode: ChartMode) -> (Int, Int) {
    switch mode {
    case .braille: return (2, 4)
    case .block: return (2, 2)
    case .ascii: return (1, 2)
    }
  }

  /// Drawing priority of a dot; higher layers decide the cell's colour.
  public enum Layer: Int, Comparable, Sendable {
    case band = 1, marker = 2, raw = 3, line = 4
    public static func < (a: Layer, b: Layer) -> Bool { a.rawValue < b.rawValue }
  }

  public let mode: ChartMode
  public let cols: Int, rows: Int
  /// Width and height in dots.
  public let width: Int, height: Int
  let cw: Int, ch: Int
  var bits: [UInt8]
  var layer: [UInt8]
  var style: [Style]

  public init(mode: ChartMode, cols: Int, rows: Int) {
    self.mode = mode
    self.cols = max(0, cols)
    self.rows = max(0, rows)
    (cw, ch) = DotCanvas.resolution(mode)
    width = self.cols * cw
    height = self.rows * ch
    bits = [UInt8](repeating: 0, count: self.cols * self.rows)
    layer = [UInt8](repeating: 0, count: self.cols * self.rows)
    style = [Style](repeating: Style(), count: self.cols * self.rows)
  }

  /// Braille bit of dot (dx, dy) inside a cell, dx 0…1, dy 0…3 (Unicode's dot numbering).
  static let brailleBit: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

  /// Sets the dot at (x, y) (x right, y down, in dots) on `layer` with `style`.
  @inline(__always)
  public mutating func set(_ x: Int, _ y: Int, layer l: Layer, _ st: Style) {
    guard x >= 0, x < width, y >= 0, y < height else { return }
    let cx = x / cw, cy = y / ch, dx = x % cw, dy = y % ch
    let i = cy * cols + cx
    let bit: UInt8
    switch mode {
    case .braille: bit = DotCanvas.brailleBit[dx][dy]
    case .block: bit = UInt8(1 << (dy * 2 + dx))
    case .ascii: bit = UInt8(1 << dy)
    }
    bits[i] |= bit
    if UInt8(l.rawValue) >= layer[i] {
      layer[i] = UInt8(l.rawValue)
      style[i] = st
    }
  }

  /// A vertical run of dots in column x from y0 to y1 (inclusive, any order).
  public mutating func vline(_ x: Int, _ y0: Int, _ y1: Int, layer l: Layer, _ st: Style, every step: Int = 1) {
    let a = min(y0, y1), b = max(y0, y1)
    var y = a
    while y <= b {
      set(x, y, layer: l, st)
      y += max(1, step)
    }
  }

  /// A straight line between two dots (Bresenham), so steep changes stay connected.
  public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, layer l: Layer, _ st: Style) {
    var x = x0, y = y0
    let dx = abs(x1 - x0), dy = -abs(y1 - y0)
    let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
    var err = dx + dy
    while true {
      set(x, y, layer: l, st)
      if x == x1 && y == y1 { break }
      let e2 = 2 * err
      if e2 >= dy {
        err += dy
        x += sx
      }
      if e2 <= dx {
        err += dx
        y += sy
      }
    }
  }

  static let quadrants: [Unicode.Scalar] = [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]
  static let ascii: [Unicode.Scalar] = [" ", "'", ".", ":"]

  /// The glyph for a cell's dot bits.
  public func glyph(_ b: UInt8) -> Unicode.Scalar {
    switch mode {
    case .braille: return Unicode.Scalar(0x2800 + UInt32(b)) ?? " "
    case .block: return DotCanvas.quadrants[Int(b & 15)]
    case .ascii: return DotCanvas.ascii[Int(b & 3)]
    }
  }

  /// Writes the cells that have dots into `grid` with (x, y) as the top-left cell; empty cells
  /// are left alone so a background drawn first shows through.
  public func flush(into grid: inout CellGrid, x: Int, y: Int, background: CellColor) {
    for cy in 0..<rows {
      for cx in 0..<cols {
        let i = cy * cols + cx
        guard bits[i] != 0 else { continue }
        grid.put(x + cx, y + cy, glyph(bits[i]), style[i].on(background))
      }
    }
  }

  /// True when any dot of the cell (cx, cy) is set (tests and the marker glyph row use it).
  public func hasDots(_ cx: Int, _ cy: Int) -> Bool { bits[cy * cols + cx] != 0 }
}
