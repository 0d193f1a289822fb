// Concrete RGB for the colours of a grid, as a terminal at a given colour depth shows them. The
// reduction is the terminal backend's own (XtermPalette.terminalColor), so a 256-colour
// snapshot shows the xterm cube colour the terminal would, not the theme's exact 24-bit value,
// and palette entries take xterm's default values (terminals theme the 16 system colours, so
// those are only the best guess).
//
// The terminal's "default" colours have no value of their own. A snapshot uses the theme's
// background and text colours when they are concrete, and otherwise dark grey #1c1c1c under
// light grey #d0d0d0 (a typical dark terminal profile, and the default theme is dark).

/// An 8-bit RGB colour.
public struct RGB8: Hashable, Sendable, CustomStringConvertible {
  public var r: UInt8, g: UInt8, b: UInt8
  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// Linear mix toward `other` (t = 0 gives self), rounded.
  public func mixed(with other: RGB8, _ t: Double) -> RGB8 {
    func lerp(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
    return RGB8(lerp(r, other.r), lerp(g, other.g), lerp(b, other.b))
  }

  public var description: String {
    "#" + [r, g, b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }
}

/// Resolves cell colours to RGB for one theme and colour depth.
public struct SnapshotPalette: Sendable {
  /// The terminal background a snapshot assumes when the theme leaves it to the terminal.
  public static let terminalBackground = RGB8(0x1c, 0x1c, 0x1c)
  /// The terminal foreground a snapshot assumes when the theme leaves it to the terminal.
  public static let terminalForeground = RGB8(0xd0, 0xd0, 0xd0)

  /// The colour depth the colours are reduced to (none: every colour is the default).
  public let mode: ColorMode
  /// What `.default` means for a foreground: the theme's text colour, or #d0d0d0.
  public let defaultForeground: RGB8
  /// What `.default` means for a background: the theme's background, or #1c1c1c.
  public let defaultBackground: RGB8

  public init(theme: Theme, mode: ColorMode) {
    self.mode = mode
    defaultForeground = Self.concrete(theme.text, mode: mode) ?? Self.terminalForeground
    defaultBackground = Self.concrete(theme.background, mode: mode) ?? Self.terminalBackground
  }

  /// The RGB a terminal in `mode` shows for `color` as a foreground or background.
  @inline(__always)
  public func rgb(_ color: CellColor, background: Bool) -> RGB8 {
    Self.concrete(color, mode: mode) ?? (background ? defaultBackground : defaultForeground)
  }

  /// The colour after reduction to `mode`, or nil when the terminal's default is shown.
  static func concrete(_ color: CellColor, mode: ColorMode) -> RGB8? {
    guard let n = XtermPalette.terminalColor(color, mode: mode) else { return nil }
    switch mode {
    case .none: return nil
    case .truecolor:
      // Direct colour is 0xRRGGBB, except palette entries 0–7, which stay ANSI indices.
      if case .palette(let p) = color, p < 8 { return index(p) }
      return RGB8(UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255))
    case .xterm256, .ansi16:
      return index(UInt8(clamping: n))
    }
  }

  /// xterm's default RGB for a palette index.
  static func index(_ i: UInt8) -> RGB8 {
    let (r, g, b) = XtermPalette.rgb(ofIndex: i)
    return RGB8(r, g, b)
  }
}
