import Foundation

// A theme names colours by role (borders, series, markers, heat map), never by widget, so a
// user theme only lists what it changes and the rest falls back to the default theme, as in
// btop's theme files.

/// The colours of the dashboard by role.
public struct Theme: Codable, Equatable, Sendable {
  public var name: String
  // User interface.
  public var background: CellColor
  public var text: CellColor
  public var muted: CellColor
  public var border: CellColor
  public var focus: CellColor
  public var title: CellColor
  public var statusBackground: CellColor
  public var statusText: CellColor
  public var key: CellColor
  public var selection: CellColor
  public var good: CellColor
  public var bad: CellColor
  public var warning: CellColor
  // Chart series.
  public var generated: CellColor
  public var reference: CellColor
  public var kl: CellColor
  public var approxKL: CellColor
  public var clipfrac: CellColor
  public var dLoss: CellColor
  public var accuracy: CellColor
  public var gap: CellColor
  public var extra1: CellColor
  public var extra2: CellColor
  // Markers across all charts.
  public var discriminatorMarker: CellColor
  public var hyperparameterMarker: CellColor
  // The histogram-over-time heat strip, from empty to full.
  public var heatLow: CellColor
  public var heatMid: CellColor
  public var heatHigh: CellColor

  /// Colours for series that have no role of their own, in order.
  public var palette: [CellColor] { [generated, reference, extra1, extra2, kl, approxKL, clipfrac, dLoss, accuracy, gap] }

  /// A colour on the heat scale for t in [0, 1].
  public func heat(_ t: Double) -> CellColor {
    t < 0.5 ? heatLow.mixed(with: heatMid, t * 2) : heatMid.mixed(with: heatHigh, (t - 0.5) * 2)
  }

  /// The YAML key of every role, in file order, with its section ("ui.background").
  nonisolated(unsafe) public static let keys: [(String, WritableKeyPath<Theme, CellColor>)] = [
    ("ui.background", \.background), ("ui.text", \.text), ("ui.muted", \.muted), ("ui.border", \.border),
    ("ui.focus", \.focus), ("ui.title", \.title), ("ui.status_background", \.statusBackground),
    ("ui.status_text", \.statusText), ("ui.key", \.key), ("ui.selection", \.selection), ("ui.good", \.good),
    ("ui.bad", \.bad), ("ui.warning", \.warning),
    ("series.generated", \.generated), ("series.reference", \.reference), ("series.kl", \.kl),
    ("series.approx_kl", \.approxKL), ("series.clipfrac", \.clipfrac), ("series.d_loss", \.dLoss),
    ("series.accuracy", \.accuracy), ("series.gap", \.gap), ("series.extra1", \.extra1), ("series.extra2", \.extra2),
    ("markers.discriminator", \.discriminatorMarker), ("markers.hyperparameter", \.hyperparameterMarker),
    ("heat.low", \.heatLow), ("heat.mid", \.heatMid), ("heat.high", \.heatHigh),
  ]

  /// The fallback for every key a theme file leaves out: a dark theme for 24-bit/256 colours.
  public static let fallback = Theme(
    name: "default", background: .default, text: .rgb(0xc8, 0xcc, 0xd4), muted: .rgb(0x6b, 0x72, 0x80),
    border: .rgb(0x4b, 0x55, 0x63), focus: .rgb(0x7d, 0xcf, 0xff), title: .rgb(0xe5, 0xc0, 0x7b),
    statusBackground: .rgb(0x23, 0x27, 0x2e), statusText: .rgb(0xc8, 0xcc, 0xd4), key: .rgb(0xe5, 0xc0, 0x7b),
    selection: .rgb(0x3e, 0x44, 0x51), good: .rgb(0x98, 0xc3, 0x79), bad: .rgb(0xe0, 0x6c, 0x75),
    warning: .rgb(0xd1, 0x9a, 0x66), generated: .rgb(0x61, 0xaf, 0xef), reference: .rgb(0xe5, 0xc0, 0x7b),
    kl: .rgb(0xc6, 0x78, 0xdd), approxKL: .rgb(0x56, 0xb6, 0xc2), clipfrac: .rgb(0xd1, 0x9a, 0x66),
    dLoss: .rgb(0xe0, 0x6c, 0x75), accuracy: .rgb(0x98, 0xc3, 0x79), gap: .rgb(0x61, 0xaf, 0xef),
    extra1: .rgb(0x98, 0xc3, 0x79), extra2: .rgb(0xc6, 0x78, 0xdd), discriminatorMarker: .rgb(0xff, 0x5f, 0xd7),
    hyperparameterMarker: .rgb(0xff, 0xd7, 0x00), heatLow: .rgb(0x1b, 0x1f, 0x4b), heatMid: .rgb(0x8a, 0x2b, 0x8e),
    heatHigh: .rgb(0xff, 0xd8, 0x4d))
}

/// Theme colour values: "default", "#rrggbb", a palette number 0–255, or an ANSI name.
extension CellColor: Codable {
  /// The 16 ANSI names, indexed like the palette.
  public static let ansiNames = [
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    "bright_black", "bright_red", "bright_green", "bright_yellow", "bright_blue", "bright_magenta", "bright_cyan",
    "bright_white",
  ]

  /// Parses a theme value (already unquoted); nil when it is none of the accepted forms.
  public init?(themeValue raw: String) {
    let v = raw.trimmingCharacters(in: .whitespaces).lowercased()
    if v == "default" || v == "none" {
      self = .default
    } else if v.hasPrefix("#") {
      let hex = v.dropFirst()
      guard hex.count == 6, let n = UInt32(hex, radix: 16) else { return nil }
      self = .rgb(UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff))
    } else if let n = Int(v) {
      guard (0...255).contains(n) else { return nil }
      self = .palette(UInt8(n))
    } else if let i = CellColor.ansiNames.firstIndex(of: v.replacingOccurrences(of: "-", with: "_")) {
      self = .palette(UInt8(i))
    } else {
      return nil
    }
  }

  /// The value as a theme file writes it.
  public var themeValue: String {
    switch self {
    case .default: return "default"
    case .palette(let p): return String(p)
    case .rgb(let r, let g, let b):
      return "#" + [r, g, b].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    let s = try c.decode(String.self)
    guard let v = CellColor(themeValue: s) else {
      throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a colour: \(s)")
    }
    self = v
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(themeValue)
  }
}
