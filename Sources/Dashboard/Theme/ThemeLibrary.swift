import Foundation

// The themes `t` cycles through: the five built in (the same as Themes/*.yaml, which a test
// keeps in step), then every *.yaml in the theme directories, user themes last so a user file
// named like a built-in replaces it.

/// The built-in themes and the loading of theme directories.
public enum ThemeLibrary {
  /// The built-in themes, default first.
  public static let builtins: [Theme] = [Theme.fallback, light, sixteen, highContrast, mono]

  /// For light terminal backgrounds; paints its own background so it looks the same anywhere.
  public static let light: Theme = {
    var t = Theme.fallback
    t.name = "light"
    t.background = .rgb(0xfa, 0xfa, 0xfa); t.text = .rgb(0x38, 0x3a, 0x42); t.muted = .rgb(0x9d, 0x9d, 0x9f)
    t.border = .rgb(0xb0, 0xb4, 0xbc); t.focus = .rgb(0x40, 0x78, 0xf2); t.title = .rgb(0x98, 0x68, 0x01)
    t.statusBackground = .rgb(0xe5, 0xe5, 0xe6); t.statusText = .rgb(0x38, 0x3a, 0x42); t.key = .rgb(0xa6, 0x26, 0xa4)
    t.selection = .rgb(0xd0, 0xd8, 0xf0); t.good = .rgb(0x50, 0xa1, 0x4f); t.bad = .rgb(0xe4, 0x56, 0x49)
    t.warning = .rgb(0xc1, 0x84, 0x01); t.generated = .rgb(0x40, 0x78, 0xf2); t.reference = .rgb(0xc1, 0x84, 0x01)
    t.kl = .rgb(0xa6, 0x26, 0xa4); t.approxKL = .rgb(0x01, 0x84, 0xbc); t.clipfrac = .rgb(0x98, 0x68, 0x01)
    t.dLoss = .rgb(0xe4, 0x56, 0x49); t.accuracy = .rgb(0x50, 0xa1, 0x4f); t.gap = .rgb(0x40, 0x78, 0xf2)
    t.extra1 = .rgb(0x50, 0xa1, 0x4f); t.extra2 = .rgb(0xa6, 0x26, 0xa4)
    t.discriminatorMarker = .rgb(0xd7, 0x00, 0x87); t.hyperparameterMarker = .rgb(0xd7, 0x87, 0x00)
    t.heatLow = .rgb(0xe8, 0xea, 0xf6); t.heatMid = .rgb(0x7e, 0x57, 0xc2); t.heatHigh = .rgb(0x31, 0x1b, 0x92)
    return t
  }()

  /// For 16-colour terminals and the Linux console: palette indices only, never computed
  /// from RGB, because users theme the 16 system colours.
  public static let sixteen: Theme = {
    var t = Theme.fallback
    t.name = "16-colour"
    t.background = .default; t.text = .palette(7); t.muted = .palette(8); t.border = .palette(8)
    t.focus = .palette(14); t.title = .palette(11); t.statusBackground = .palette(4); t.statusText = .palette(15)
    t.key = .palette(11); t.selection = .palette(8); t.good = .palette(10); t.bad = .palette(9); t.warning = .palette(3)
    t.generated = .palette(12); t.reference = .palette(11); t.kl = .palette(13); t.approxKL = .palette(14)
    t.clipfrac = .palette(3); t.dLoss = .palette(9); t.accuracy = .palette(10); t.gap = .palette(12)
    t.extra1 = .palette(10); t.extra2 = .palette(13); t.discriminatorMarker = .palette(13)
    t.hyperparameterMarker = .palette(11); t.heatLow = .palette(4); t.heatMid = .palette(5); t.heatHigh = .palette(11)
    return t
  }()

  /// Black background, white text, saturated series: for projectors and tired eyes.
  public static let highContrast: Theme = {
    var t = Theme.fallback
    t.name = "high-contrast"
    t.background = .rgb(0, 0, 0); t.text = .rgb(0xff, 0xff, 0xff); t.muted = .rgb(0xb0, 0xb0, 0xb0)
    t.border = .rgb(0xff, 0xff, 0xff); t.focus = .rgb(0x00, 0xff, 0xff); t.title = .rgb(0xff, 0xff, 0x00)
    t.statusBackground = .rgb(0xff, 0xff, 0xff); t.statusText = .rgb(0, 0, 0); t.key = .rgb(0xff, 0xff, 0x00)
    t.selection = .rgb(0x00, 0x00, 0xaf); t.good = .rgb(0x00, 0xff, 0x00); t.bad = .rgb(0xff, 0x30, 0x30)
    t.warning = .rgb(0xff, 0xaf, 0x00); t.generated = .rgb(0x00, 0xd7, 0xff); t.reference = .rgb(0xff, 0xd7, 0x00)
    t.kl = .rgb(0xff, 0x5f, 0xff); t.approxKL = .rgb(0x00, 0xff, 0xaf); t.clipfrac = .rgb(0xff, 0x87, 0x00)
    t.dLoss = .rgb(0xff, 0x30, 0x30); t.accuracy = .rgb(0x00, 0xff, 0x00); t.gap = .rgb(0x00, 0xd7, 0xff)
    t.extra1 = .rgb(0x00, 0xff, 0x00); t.extra2 = .rgb(0xff, 0x5f, 0xff)
    t.discriminatorMarker = .rgb(0xff, 0x00, 0xff); t.hyperparameterMarker = .rgb(0xff, 0xff, 0x00)
    t.heatLow = .rgb(0x00, 0x00, 0x5f); t.heatMid = .rgb(0xaf, 0x00, 0xaf); t.heatHigh = .rgb(0xff, 0xff, 0x00)
    return t
  }()

  /// No colour at all: the terminal's own colours, with bold, dim and reverse doing the work.
  public static let mono: Theme = {
    var t = Theme.fallback
    t.name = "mono"
    for (_, path) in Theme.keys { t[keyPath: path] = .default }
    return t
  }()

  /// The built-in theme for a colour mode when the user names none.
  public static func automatic(for mode: ColorMode) -> Theme {
    switch mode {
    case .truecolor, .xterm256: return Theme.fallback
    case .ansi16: return sixteen
    case .none: return mono
    }
  }

  /// The index in `themes` of the automatic theme for `mode` (0 when it is not there).
  public static func automaticIndex(in themes: [Theme], for mode: ColorMode) -> Int {
    let name = automatic(for: mode).name
    return themes.firstIndex { $0.name == name } ?? 0
  }

  /// Where user themes live: $XDG_CONFIG_HOME/grpotop/themes (or ~/.config/grpotop/themes).
  public static func userDirectory(environment env: [String: String]) -> String? {
    if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/grpotop/themes" }
    if let h = env["HOME"], !h.isEmpty { return h + "/.config/grpotop/themes" }
    return nil
  }

  /// Every theme: built-ins, then each *.yaml / *.yml of `directories` in order (a later theme
  /// with the same name replaces an earlier one). Bad files are skipped and reported.
  public static func load(directories: [String]) -> (themes: [Theme], errors: [String]) {
    var themes = builtins
    var errors: [String] = []
    let fm = FileManager.default
    for dir in directories {
      guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
      for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
        let path = dir + "/" + name
        do {
          let text = try String(contentsOfFile: path, encoding: .utf8)
          let theme = try ThemeReader.theme(text, file: path)
          if let i = themes.firstIndex(where: { $0.name == theme.name }) { themes[i] = theme } else { themes.append(theme) }
        } catch let e as ThemeError {
          errors.append(e.description)
        } catch {
          errors.append("\(path): cannot read (\(error.localizedDescription))")
        }
      }
    }
    return (themes, errors)
  }

  /// Reads one named theme file, for `--theme path.yaml`; throws the file:line error.
  public static func read(path: String) throws -> Theme {
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
      throw ThemeError(file: path, line: 0, message: "cannot read the theme file")
    }
    return try ThemeReader.theme(text, file: path)
  }
}
