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
    // Every failure is one line naming the input (SnapshotFailure carries no usage text).
    guard let cells = Self.parseSize(size) else {
      throw SnapshotFailure("--size must be WIDTHxHEIGHT of at least \(Layout.minimumWidth)x\(Layout.minimumHeight) "
        + "and at most 1000x1000 cells, got '\(size)'")
    }
    guard let mode = ColorMode(flag: colors) else { throw SnapshotFailure("--colors must be 24bit, 256, 16 or none, got '\(colors)'") }
    var isDir: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
    let file = isDir.boolValue ? path + "/events.jsonl" : path
    guard exists, FileManager.default.fileExists(atPath: file) else { throw SnapshotFailure("\(file): no such file") }
    let events: [RunEvent]
    do {
      let read = try JSONLines.readEvents(path: file)
      events = read.events
      for w in read.warnings { FileHandle.standardError.write(Data(("warning: " + w + "\n").utf8)) }
    } catch { throw SnapshotFailure(String(describing: error)) }
    guard !events.isEmpty else { throw SnapshotFailure("\(file): no events to show") }
    let options = DashboardOptions(colors: mode, theme: theme, themeDirectories: [FileManager.default.currentDirectoryPath + "/Themes"])
    do {
      let (themes, start, _) = try options.resolveThemes()
      let bitmapFont = try BitmapFont.load(path: font)
      let automatic = ThemeLibrary.automatic(for: mode).name
      let index = start ?? themes.firstIndex { $0.name == automatic } ?? 0
      let grid = ScreenSnapshot.finalScreen(events: events, size: cells, themes: themes, themeIndex: index, mode: mode)
      let written = try ScreenSnapshot.writePNG(grid, theme: themes[index], mode: mode, font: bitmapFont, to: out)
      print("\(written.path): \(written.pixelWidth)×\(written.pixelHeight) px, \(written.columns)×\(written.rows) cells")
    } catch let e as SnapshotFailure {
      throw e
    } catch {
      throw SnapshotFailure(String(describing: error))
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

/// A snapshot failure: ArgumentParser prints it as one "Error: …" line, without the usage
/// text a ValidationError brings, and exits with status 1.
struct SnapshotFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
