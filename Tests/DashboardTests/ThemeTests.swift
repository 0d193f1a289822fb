import Foundation
import XCTest
@testable import Dashboard

/// The theme reader accepts the flat YAML subset, names file and line of anything else, and
/// the shipped Themes/*.yaml are exactly the built-in themes.
final class ThemeTests: XCTestCase {
  static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Themes")

  func testReadsSectionsCommentsAndFallsBack() throws {
    let text = """
      # a user theme
      name: dusk
      ui:
        text: "#102030"   # quoted, so the # is a colour
        border: bright_black
      series:
        generated: 33
      """
    let t = try ThemeReader.theme(text, file: "dusk.yaml")
    XCTAssertEqual(t.name, "dusk")
    XCTAssertEqual(t.text, .rgb(0x10, 0x20, 0x30))
    XCTAssertEqual(t.border, .palette(8))
    XCTAssertEqual(t.generated, .palette(33))
    XCTAssertEqual(t.reference, Theme.fallback.reference, "missing keys fall back to the default theme")
  }

  func testBadLinesNameFileAndLine() {
    func error(_ text: String) -> String? {
      do {
        _ = try ThemeReader.theme(text, file: "Themes/bad.yaml")
        return nil
      } catch {
        return String(describing: error)
      }
    }
    XCTAssertEqual(error("ui:\n  text: \"#12\"\n"),
                   "Themes/bad.yaml:2: ui.text needs \"#rrggbb\", a palette number 0-255, an ANSI name or default; got '#12'")
    XCTAssertEqual(error("ui:\n  text: #123456\n"),
                   "Themes/bad.yaml:2: 'text' has no value: quote colours, e.g. text: \"#rrggbb\" (an unquoted # starts a comment)")
    XCTAssertEqual(error("ui:\n  txt: red\n"),
                   "Themes/bad.yaml:2: unknown key 'ui.txt' (ui has: background, text, muted, border, focus, title, status_background, status_text, key, selection, good, bad, warning)")
    XCTAssertEqual(error("\n\ncolour: red\n")?.hasPrefix("Themes/bad.yaml:3: unknown key 'colour'"), true)
    XCTAssertEqual(error("ui:\n\ttext: red\n"), "Themes/bad.yaml:2: tabs are not allowed; indent with spaces")
    XCTAssertEqual(error("  text: red\n"), "Themes/bad.yaml:1: 'text' is indented but no section ('ui:', 'series:' …) opens above it")
    XCTAssertEqual(error("ui:\n  text red\n"), "Themes/bad.yaml:2: expected 'key: value', got 'text red'")
    XCTAssertEqual(error("ui:\n  text: \"#102030\n"), "Themes/bad.yaml:2: unterminated quote")
    XCTAssertEqual(error("ui:\n  text: red\n  text: blue\n"), "Themes/bad.yaml:3: 'ui.text' is set twice")
  }

  func testYamlRoundTrip() throws {
    for t in ThemeLibrary.builtins {
      let back = try ThemeReader.theme(ThemeReader.yaml(t, comment: "x"), file: "\(t.name).yaml")
      XCTAssertEqual(back, t)
    }
  }

  /// Set GRPOTOP_WRITE_THEMES=1 to regenerate Themes/*.yaml from the built-ins.
  func testShippedThemeFilesAreTheBuiltins() throws {
    let comments = [
      "default": "grpotop theme: default (dark, for 24-bit and 256-colour terminals).",
      "light": "grpotop theme: light (paints its own light background).",
      "16-colour": "grpotop theme: 16-colour (palette numbers only, for the Linux console and 16-colour terminals).",
      "high-contrast": "grpotop theme: high-contrast (black background, saturated colours).",
      "mono": "grpotop theme: mono (the terminal's own colours; bold, dim and reverse do the work).",
    ]
    let header = "\nColours: \"#rrggbb\" (quoted), a palette number 0-255, an ANSI name (red, bright_blue …) or default.\n"
      + "Copy to $XDG_CONFIG_HOME/grpotop/themes/<name>.yaml and change what you like; missing keys use the default theme."
    for t in ThemeLibrary.builtins {
      let url = Self.themesDir.appendingPathComponent("\(t.name).yaml")
      if ProcessInfo.processInfo.environment["GRPOTOP_WRITE_THEMES"] == "1" {
        try ThemeReader.yaml(t, comment: (comments[t.name] ?? t.name) + header).write(to: url, atomically: true, encoding: .utf8)
      }
      let text = try String(contentsOf: url, encoding: .utf8)
      XCTAssertEqual(try ThemeReader.theme(text, file: url.path), t, url.path)
    }
    let (themes, errors) = ThemeLibrary.load(directories: [Self.themesDir.path])
    XCTAssertEqual(errors, [])
    XCTAssertEqual(themes.map(\.name), ["default", "light", "16-colour", "high-contrast", "mono"])
  }

  func testUserThemeDirectoryAndBadFileReported() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("themes-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "ui:\n  text: \"#ffffff\"\n".write(to: dir.appendingPathComponent("snow.yaml"), atomically: true, encoding: .utf8)
    try "ui:\n  text: nope\n".write(to: dir.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
    let (themes, errors) = ThemeLibrary.load(directories: [dir.path])
    XCTAssertEqual(themes.last?.name, "snow")
    XCTAssertEqual(errors.count, 1)
    XCTAssertTrue(errors[0].hasSuffix("broken.yaml:2: ui.text needs \"#rrggbb\", a palette number 0-255, an ANSI name or default; got 'nope'"))
    XCTAssertEqual(ThemeLibrary.userDirectory(environment: ["XDG_CONFIG_HOME": "/x"]), "/x/grpotop/themes")
    let opts = DashboardOptions(theme: "nonesuch", environment: [:])
    XCTAssertThrowsError(try opts.resolveThemes())
  }
}
