import Imaging

// A cell grid as pixels, the way a terminal using this bitmap font shows it: 8×16 px a cell,
// colours reduced to the terminal's depth (SnapshotPalette), attributes mapped like common
// terminals map the SGR codes the backend sends:
//   bold       double-struck glyph (each row OR-ed with itself shifted one pixel right); the
//              colour is kept, as in terminals with "bold is bright" off (the modern default)
//   dim        foreground halfway to the background (SGR 2, faint)
//   reverse    foreground and background swapped, after defaults are resolved (SGR 7)
//   underline  row 14 in the foreground colour (just under the font's baseline)
// Block elements and braille come from BlockGlyphs, everything else from the font; a
// character the font lacks draws the font's U+FFFD, or a hollow box when it has none.
//
// Width: CellGrid.put stores wide characters as "?", but a grid built from Cell values may
// hold one, and then it is drawn as a terminal draws it: 16 px over its cell and the next,
// whose own character is hidden. A 16-px glyph of a one-cell character (Unifont draws ✓ and
// some other symbols 16 px wide) is squeezed into its cell by OR-ing pixel pairs, as
// terminals fit an over-wide glyph into one cell.

/// Draws cell grids as RGB images with a bitmap font.
public struct CellRasterizer: Sendable {
  /// Pixels per cell.
  public static let cellWidth = 8
  public static let cellHeight = 16
  /// The underline row within a cell.
  static let underlineRow = 14

  public let font: BitmapFont
  public let palette: SnapshotPalette
  /// The glyph for characters the font lacks.
  private let missing: Glyph

  public init(font: BitmapFont, palette: SnapshotPalette) {
    self.font = font
    self.palette = palette
    missing = font.replacement ?? Self.hollowBox
  }

  /// A hollow 6×12 box, for fonts without U+FFFD.
  static let hollowBox: Glyph = {
    var rows = [UInt16](repeating: 0, count: 16)
    rows[2] = 0x7E00
    rows[13] = 0x7E00
    for y in 3..<13 { rows[y] = 0x4200 }
    return Glyph(width: 8, rows: rows[...])
  }()

  /// An empty 8-px glyph.
  static let blank = Glyph(width: 8, rows: [UInt16](repeating: 0, count: 16)[...])

  /// The grid as an image of (grid.width × 8) × (grid.height × 16) pixels.
  public func image(_ grid: CellGrid) -> RGBImage {
    image(cells: grid.cells, width: grid.width, height: grid.height)
  }

  /// Cells in row-major order (width × height of them) as an image.
  public func image(cells: [Cell], width: Int, height: Int) -> RGBImage {
    RGBImage(width: width * Self.cellWidth, height: height * Self.cellHeight,
             rgbBytes: pixels(cells: cells, width: width, height: height))
  }

  /// Interleaved RGB bytes, (height × 16, width × 8, 3).
  public func pixels(cells: [Cell], width: Int, height: Int) -> [UInt8] {
    precondition(cells.count == width * height, "CellRasterizer: \(cells.count) cells for \(width)×\(height)")
    let stride = width * Self.cellWidth * 3
    var out = [UInt8](repeating: 0, count: stride * height * Self.cellHeight)
    var rows = [UInt16](repeating: 0, count: Self.cellHeight)
    out.withUnsafeMutableBufferPointer { buf in
      for cy in 0..<height {
        var cx = 0
        while cx < width {
          let cell = cells[cy * width + cx]
          let span = shape(cell, roomForTwo: cx + 1 < width, into: &rows)
          var fg = palette.rgb(cell.style.fg, background: false)
          var bg = palette.rgb(cell.style.bg, background: true)
          let a = cell.style.attrs
          if a.contains(.reverse) { swap(&fg, &bg) }
          if a.contains(.dim) { fg = fg.mixed(with: bg, 0.5) }
          if a.contains(.underline) { rows[Self.underlineRow] = span.cells == 2 ? 0xFFFF : BlockGlyphs.full }
          // Unset pixels show the background, or for ░ ▒ ▓ the foreground blended over it.
          let paper = span.shade.map { bg.mixed(with: fg, $0) } ?? bg
          let x0 = cx * Self.cellWidth, y0 = cy * Self.cellHeight
          let pixelsWide = span.cells * Self.cellWidth
          for y in 0..<Self.cellHeight {
            let mask = rows[y]
            var p = (y0 + y) * stride + x0 * 3
            for x in 0..<pixelsWide {
              let color = mask & (0x8000 >> UInt16(x)) != 0 ? fg : paper
              buf[p] = color.r
              buf[p + 1] = color.g
              buf[p + 2] = color.b
              p += 3
            }
          }
          cx += span.cells
        }
      }
    }
    return out
  }

  /// How a cell is drawn: over one or two cells, and with a shade instead of a mask.
  struct Span {
    var cells: Int
    var shade: Double?
  }

  /// Fills `rows` with the cell's pixel mask (bit 15 = leftmost pixel; 16 px wide when it
  /// spans two cells) and says how many cells it covers.
  func shape(_ cell: Cell, roomForTwo: Bool, into rows: inout [UInt16]) -> Span {
    let s = cell.scalar
    if BlockGlyphs.covers(s), let fill = BlockGlyphs.draw(s, into: &rows) {
      if case .shade(let share) = fill { return Span(cells: 1, shade: share) }
      return Span(cells: 1, shade: nil)
    }
    // A space is blank even in a font without one (it fills most of the screen).
    let glyph = font.glyph(s) ?? (s == " " ? Self.blank : missing)
    // Wide: neither one cell, nor zero width, nor a control character.
    let twoCells = roomForTwo && s.value >= 0xA0 && !CellWidth.isSingle(s) && !CellWidth.isZeroWidth(s)
    let squeeze = glyph.width == 16 && !twoCells
    let bold = cell.style.attrs.contains(.bold)
    for y in 0..<Self.cellHeight {
      var r = glyph.row(y)
      if squeeze { r = Self.squeezed(r) }
      if bold { r |= r >> 1 }
      // An 8-px glyph (or a squeezed one) must not bleed into the next cell when emboldened.
      rows[y] = twoCells ? r : r & BlockGlyphs.full
    }
    return Span(cells: twoCells ? 2 : 1, shade: nil)
  }

  /// A 16-px row folded into 8 px: each output pixel is set when either of its pair is.
  @inline(__always)
  static func squeezed(_ r: UInt16) -> UInt16 {
    var out: UInt16 = 0
    for i in 0..<8 where r & (0xC000 >> UInt16(2 * i)) != 0 { out |= 0x8000 >> UInt16(i) }
    return out
  }
}
