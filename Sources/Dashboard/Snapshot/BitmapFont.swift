import Foundation

// The bitmap font PNG snapshots are drawn with: GNU Unifont's .hex file (Debian package
// `unifont`, /usr/share/unifont/unifont.hex), which covers the whole Basic Multilingual Plane
// at 8×16 and 16×16 pixels, matching a terminal cell. Its format is one glyph a line:
//
//   0041:0000000018242442427E424242420000
//   ^^^^ code point, 4–6 hex digits
//        ^^^ 32 hex digits: 16 rows of one byte (8 px wide), or 64: 16 rows of two bytes
//            (16 px wide); top row first, most significant bit = leftmost pixel
//
// The file has ~57,000 lines (3.7 MB); it is parsed from bytes, without a String per line,
// and all rows live in one flat buffer, so loading costs tens of milliseconds and a glyph
// lookup allocates nothing.

/// Why a font could not be loaded: a missing or unreadable file, or a malformed line.
public struct FontError: Error, CustomStringConvertible, Sendable {
  /// One line naming the file (and line) and what is allowed.
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// One glyph of a bitmap font: 16 rows, 8 or 16 pixels wide.
public struct Glyph: Equatable, Sendable {
  /// 8 (one cell) or 16 (two cells, or squeezed into one).
  public let width: Int
  /// 16 rows, top first. Bit 15 is the leftmost pixel whatever the width: an 8-pixel glyph
  /// uses bits 15…8, so both widths line up on the left edge.
  public let rows: ArraySlice<UInt16>

  /// The row `y` (0 = top) as a left-aligned 16-bit mask.
  @inline(__always)
  public func row(_ y: Int) -> UInt16 { rows[rows.startIndex + y] }

  /// Whether the pixel at (x, y) is set; x counts from the left edge.
  public func pixel(_ x: Int, _ y: Int) -> Bool {
    guard x >= 0, x < width, y >= 0, y < BitmapFont.glyphHeight else { return false }
    return row(y) & (0x8000 >> UInt16(x)) != 0
  }
}

/// A Unifont-style bitmap font: 16-pixel-high glyphs by code point.
public struct BitmapFont: Sendable {
  /// Where Debian's `unifont` package puts the font.
  public static let defaultPath = "/usr/share/unifont/unifont.hex"
  /// Every glyph is this many rows high (one terminal cell).
  public static let glyphHeight = 16

  /// Code point → (slot, 16 px wide); a slot's rows are `rowData[slot * 16 ..< slot * 16 + 16]`.
  private var slots: [UInt32: (slot: Int32, wide: Bool)] = [:]
  private var rowData: [UInt16] = []
  /// What the file was called, for messages.
  public let name: String

  /// The number of glyphs.
  public var count: Int { slots.count }

  /// The glyph for `scalar`, or nil when the font has none.
  public func glyph(_ scalar: Unicode.Scalar) -> Glyph? {
    guard let s = slots[scalar.value] else { return nil }
    let start = Int(s.slot) * Self.glyphHeight
    return Glyph(width: s.wide ? 16 : 8, rows: rowData[start..<(start + Self.glyphHeight)])
  }

  /// The font's own stand-in for characters it lacks (U+FFFD "�"), if it has one.
  public var replacement: Glyph? { glyph("\u{FFFD}") }

  /// Reads and parses the .hex file at `path`. A missing file is one error that says which
  /// package provides the font; a malformed line is an error naming the file and line.
  public static func load(path: String = defaultPath) throws -> BitmapFont {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw FontError("\(path): no such font file; the snapshot font comes with the Debian package unifont "
        + "(apt-get install unifont, or make deps)")
    }
    guard !isDirectory.boolValue else { throw FontError("\(path): is a directory, not a Unifont .hex file") }
    guard let data = FileManager.default.contents(atPath: path) else { throw FontError("\(path): cannot read the font file") }
    return try BitmapFont(hex: data, name: path)
  }

  /// Parses .hex text; `name` is what errors call the source. Blank lines are skipped.
  public init<Bytes: Collection>(hex bytes: Bytes, name: String) throws where Bytes.Element == UInt8 {
    self.name = name
    let buffer = Array(bytes)
    slots.reserveCapacity(buffer.count / 40)
    rowData.reserveCapacity(buffer.count / 3)
    var lineStart = 0
    var lineNumber = 0
    while lineStart < buffer.count {
      var lineEnd = lineStart
      while lineEnd < buffer.count && buffer[lineEnd] != 0x0A { lineEnd += 1 }
      lineNumber += 1
      var end = lineEnd
      if end > lineStart && buffer[end - 1] == 0x0D { end -= 1 }  // tolerate CRLF files
      if end > lineStart {
        try parseLine(buffer, lineStart, end, lineNumber: lineNumber)
      }
      lineStart = lineEnd + 1
    }
    guard !slots.isEmpty else { throw FontError("\(name): no glyphs (expected lines like 0041:0000000018242442427E424242420000)") }
  }

  /// Parses one non-empty line `buffer[start..<end]` and stores its glyph.
  private mutating func parseLine(_ buffer: [UInt8], _ start: Int, _ end: Int, lineNumber: Int) throws {
    var colon = start
    while colon < end && buffer[colon] != 0x3A { colon += 1 }
    let digits = end - colon - 1
    guard colon < end, (4...6).contains(colon - start), digits == 32 || digits == 64 else {
      throw malformed(buffer, start, end, lineNumber)
    }
    var codePoint: UInt32 = 0
    for i in start..<colon {
      guard let v = Self.hexValue(buffer[i]) else { throw malformed(buffer, start, end, lineNumber) }
      codePoint = codePoint << 4 | UInt32(v)
    }
    guard codePoint <= 0x10FFFF else {
      throw FontError("\(name):\(lineNumber): code point \(String(codePoint, radix: 16, uppercase: true)) is beyond U+10FFFF")
    }
    let wide = digits == 64
    let bytesPerRow = wide ? 2 : 1
    let slot = Int32(rowData.count / Self.glyphHeight)
    var p = colon + 1
    for _ in 0..<Self.glyphHeight {
      var row: UInt16 = 0
      for _ in 0..<(2 * bytesPerRow) {
        guard let v = Self.hexValue(buffer[p]) else { throw malformed(buffer, start, end, lineNumber) }
        row = row << 4 | UInt16(v)
        p += 1
      }
      rowData.append(wide ? row : row << 8)
    }
    // A later line for the same code point replaces the earlier one (its rows stay unused).
    slots[codePoint] = (slot, wide)
  }

  /// The error for a line that is not `CODEPOINT:BITMAP`, quoting its start.
  private func malformed(_ buffer: [UInt8], _ start: Int, _ end: Int, _ lineNumber: Int) -> FontError {
    let shown = String(decoding: buffer[start..<min(end, start + 40)], as: UTF8.self) + (end - start > 40 ? "…" : "")
    return FontError("\(name):\(lineNumber): malformed glyph line '\(shown)'; expected CODEPOINT:BITMAP, a code point "
      + "of 4 to 6 hex digits, a colon, then 32 hex digits (an 8×16 glyph) or 64 (16×16)")
  }

  /// The value of an ASCII hex digit (either case).
  @inline(__always)
  private static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x41...0x46: return c - 0x41 + 10
    case 0x61...0x66: return c - 0x61 + 10
    default: return nil
    }
  }
}
