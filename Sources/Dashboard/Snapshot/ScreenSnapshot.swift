import Foundation
import Imaging
import RunProtocol

// The dashboard as a PNG file: the same CellGrid the terminal shows, rasterized with a bitmap
// font and written through Imaging's PNG writer (a temporary name, then a rename, so a crash
// never leaves half an image). Used by the `s` key (the live screen) and by
// `grpotop snapshot` (a recorded run at its final state, at any size).

/// Writes dashboard screens as PNG images.
public enum ScreenSnapshot {
  /// A PNG's size in pixels and in cells.
  public struct Written: Equatable, Sendable {
    public var path: String
    public var pixelWidth: Int, pixelHeight: Int
    public var columns: Int, rows: Int
  }

  /// Rasterizes `grid` as a terminal at `mode` with `theme` shows it and writes it to `path`.
  @discardableResult
  public static func writePNG(_ grid: CellGrid, theme: Theme, mode: ColorMode, font: BitmapFont,
                              to path: String) throws -> Written {
    let image = CellRasterizer(font: font, palette: SnapshotPalette(theme: theme, mode: mode)).image(grid)
    try PNG.write(image, to: path)
    return Written(path: path, pixelWidth: image.width, pixelHeight: image.height, columns: grid.width, rows: grid.height)
  }

  /// The dashboard over a recorded run at its final state, as `grpotop replay` shows it once
  /// every event has arrived: read-only, the latest sample group, the standard layout.
  public static func finalScreen(events: [RunEvent], size: TerminalSize, themes: [Theme], themeIndex: Int,
                                 mode: ColorMode) -> CellGrid {
    var state = DashboardState()
    state.apply(events)
    var view = ViewState(colorMode: mode, themes: themes, themeIndex: themeIndex, readOnly: "replay of a recorded run")
    view.source = "replay"
    return render(state, view, size: size)
  }

  /// The first free base name for a snapshot at `iteration` in `directory`:
  /// "snapshot-<iteration>", then "snapshot-<iteration>-2", -3 … when a .png, .ans or .txt of
  /// that name exists (a finished run stays at one iteration, and each press should keep its
  /// picture).
  public static func freeName(in directory: String, iteration: Int) -> String {
    let fm = FileManager.default
    var n = 1
    while true {
      let name = "snapshot-\(iteration)" + (n == 1 ? "" : "-\(n)")
      let base = (directory as NSString).appendingPathComponent(name)
      if !["png", "ans", "txt"].contains(where: { fm.fileExists(atPath: base + "." + $0) }) { return name }
      n += 1
    }
  }
}
