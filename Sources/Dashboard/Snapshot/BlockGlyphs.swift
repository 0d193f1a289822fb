// Block elements (U+2580–U+259F) and braille (U+2800–U+28FF) drawn from their definitions,
// not from the font: the dashboard's thumbnails, bars and charts are made of them, and a
// terminal draws them edge to edge (kitty, wezterm, alacritty, foot and VTE all have built-in
// renderers for these ranges) so neighbouring cells join without the font's gaps.
//
// A cell is 8×16 px. Masks are 16 rows of UInt16, bit 15 = leftmost pixel (bits 15…8 are the
// cell's 8 columns), the layout Glyph uses.

/// What a procedural character covers in its cell.
enum BlockFill: Equatable {
  /// The pixels set in the mask take the foreground, the others the background.
  case mask
  /// The whole cell is the foreground blended over the background with this share
  /// (░ ▒ ▓: 25, 50, 75 %), as terminals with built-in block renderers draw shades.
  case shade(Double)
}

/// Masks for block elements and braille patterns.
enum BlockGlyphs {
  /// The cell's columns: bits 15…8.
  static let full: UInt16 = 0xFF00
  static let leftHalf: UInt16 = 0xF000
  static let rightHalf: UInt16 = 0x0F00

  /// Whether `s` is drawn here instead of from the font.
  @inline(__always)
  static func covers(_ s: Unicode.Scalar) -> Bool {
    (0x2580...0x259F).contains(s.value) || (0x2800...0x28FF).contains(s.value)
  }

  /// Writes the 16-row mask of `s` into `rows` (16 entries, overwritten) and says how to
  /// colour it; nil when `s` is not a block element or braille pattern.
  static func draw(_ s: Unicode.Scalar, into rows: inout [UInt16]) -> BlockFill? {
    let v = s.value
    for y in 0..<16 { rows[y] = 0 }
    switch v {
    case 0x2800...0x28FF:
      braille(UInt8(v - 0x2800), into: &rows)
      return .mask
    case 0x2580:  // ▀ upper half
      fill(&rows, 0..<8, full)
    case 0x2581...0x2588:  // ▁ … █ lower n eighths: 2n rows from the bottom
      let n = Int(v - 0x2580)
      fill(&rows, (16 - 2 * n)..<16, full)
    case 0x2589...0x258F:  // ▉ … ▏ left 7 … 1 eighths: n columns from the left
      let n = Int(0x2590 - v)
      fill(&rows, 0..<16, full << UInt16(8 - n))
    case 0x2590:  // ▐ right half
      fill(&rows, 0..<16, rightHalf)
    case 0x2591...0x2593:  // ░ ▒ ▓
      return .shade(Double(v - 0x2590) * 0.25)
    case 0x2594:  // ▔ upper one eighth
      fill(&rows, 0..<2, full)
    case 0x2595:  // ▕ right one eighth
      fill(&rows, 0..<16, 0x0100)
    case 0x2596...0x259F:
      quadrants(quadrantBits[Int(v - 0x2596)], into: &rows)
    default:
      return nil
    }
    return .mask
  }

  @inline(__always)
  static func fill(_ rows: inout [UInt16], _ range: Range<Int>, _ mask: UInt16) {
    for y in range { rows[y] |= mask }
  }

  /// Quadrants of ▖ ▗ ▘ ▙ ▚ ▛ ▜ ▝ ▞ ▟ as bits: 1 upper left, 2 upper right, 4 lower left,
  /// 8 lower right.
  static let quadrantBits: [UInt8] = [4, 8, 1, 1 | 4 | 8, 1 | 8, 1 | 2 | 4, 1 | 2 | 8, 2, 2 | 4, 2 | 4 | 8]

  static func quadrants(_ q: UInt8, into rows: inout [UInt16]) {
    if q & 1 != 0 { fill(&rows, 0..<8, leftHalf) }
    if q & 2 != 0 { fill(&rows, 0..<8, rightHalf) }
    if q & 4 != 0 { fill(&rows, 8..<16, leftHalf) }
    if q & 8 != 0 { fill(&rows, 8..<16, rightHalf) }
  }

  /// Braille dot k (1…8) sits at (column, row) of a 2×4 grid; Unicode numbers the bits of
  /// U+2800 + bits as dot 1 = bit 0: dots 1 2 3 7 run down the left column, 4 5 6 8 down the
  /// right.
  static let brailleDots: [(column: Int, row: Int)] = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]

  /// Each dot is 2×2 px, centred in its 4×4 quarter-column: columns 1–2 and 5–6, rows 1–2,
  /// 5–6, 9–10 and 13–14.
  static func braille(_ bits: UInt8, into rows: inout [UInt16]) {
    for (bit, dot) in brailleDots.enumerated() where bits & (1 << UInt8(bit)) != 0 {
      let mask: UInt16 = dot.column == 0 ? 0x6000 : 0x0600
      let y = dot.row * 4 + 1
      rows[y] |= mask
      rows[y + 1] |= mask
    }
  }
}
