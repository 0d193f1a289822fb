import ArgumentParser
import Dashboard
import Foundation

/// `--colors` and `--theme`, shared by every command that opens the dashboard.
struct DisplayOptions: ParsableArguments {
  @Option(help: "Colour depth: 24bit, 256, 16 or none (default: detected from the terminal).") var colors: String?
  @Option(help: "Theme name (default, light, 16-colour, high-contrast, mono, or a user theme) or a theme file.") var theme: String?

  func validate() throws {
    if let c = colors, ColorMode(flag: c) == nil { throw ValidationError("--colors must be 24bit, 256, 16 or none, got '\(c)'") }
  }

  /// The requested colour depth, or nil to detect it.
  var colorMode: ColorMode? { colors.flatMap(ColorMode.init(flag:)) }

  /// The checkout's Themes/ (when run from it); the user's theme directory is added by the dashboard.
  var themeDirectories: [String] { [FileManager.default.currentDirectoryPath + "/Themes"] }
}
