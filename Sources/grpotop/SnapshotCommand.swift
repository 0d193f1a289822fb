import ArgumentParser
import Dashboard
import Foundation
import RunProtocol

/// `grpotop snapshot RUN|events.jsonl --out dashboard.png`: the dashboard over a recorded run
/// at its final state, drawn at `--size` cells and written as a PNG (8×16 px a cell, Unifont).
/// Prints one line: the path, the size in pixels and in cells.
struct SnapshotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "snapshot", abstract: "Render a recorded run's dashboard (its final state) to a PNG.")

  @Argument(help: "A run directory, or an events.jsonl file.") var path: String
  @Option(help: "The PNG to write.") var out: String
  @Option(help: "Screen size in cells, WIDTHxHEIGHT (at least 80x24).") var size = "160x48"
  @Option(help: "Theme name (default, light, 16-colour, high-contrast, mono, or a user theme) or a theme file.") var theme: String?
  @Option(help: "Colour depth to show: 24bit, 256, 16 or none.") var colors = "24bit"
  @Option(help: "Unifont .hex file to draw with (Debian package unifont).") var font = BitmapFont.defaultPath

  func run() throws {
    // Every failure is one line naming the input (CommandFailure carries no usage text).
    guard let cells = Self.parseSize(size) else {
      throw CommandFailure("--size must be WIDTHxHEIGHT of at least \(Layout.minimumWidth)x\(Layout.minimumHeight) "
        + "and at most 1000x1000 cells, got '\(size)'")
    }
    guard let mode = ColorMode(flag: colors) else { throw CommandFailure("--colors must be 24bit, 256, 16 or none, got '\(colors)'") }
    let events = try RecordedRun(path: path).events
    let options = DashboardOptions(colors: mode, theme: theme, themeDirectories: [FileManager.default.currentDirectoryPath + "/Themes"])
    do {
      let (themes, start, _) = try options.resolveThemes()
      let bitmapFont = try BitmapFont.load(path: font)
      let index = start ?? ThemeLibrary.automaticIndex(in: themes, for: mode)
      let grid = ScreenSnapshot.finalScreen(events: events, size: cells, themes: themes, themeIndex: index, mode: mode)
      let written = try ScreenSnapshot.writePNG(grid, theme: themes[index], mode: mode, font: bitmapFont, to: out)
      print("\(written.path): \(written.pixelWidth)×\(written.pixelHeight) px, \(written.columns)×\(written.rows) cells")
    } catch let e as CommandFailure {
      throw e
    } catch {
      throw CommandFailure(String(describing: error))
    }
  }

  /// "160x48" (or "160×48") → a terminal size within the layouts' range; nil otherwise.
  static func parseSize(_ text: String) -> TerminalSize? {
    let parts = text.lowercased().replacingOccurrences(of: "×", with: "x").split(separator: "x")
    guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
          Layout.fits(width: w, height: h), w <= 1000, h <= 1000 else { return nil }
    return TerminalSize(width: w, height: h)
  }
}
