import ArgumentParser
import Dashboard
import Foundation
import Imaging
import RunProtocol

/// `grpotop bench dashboard`: milliseconds to render a frame with every panel live, and the
/// bytes a terminal would receive per second when only the charts change (the escape
/// sequences of the changed cells, as ncurses would send them), on a synthetic Adv-GRPO run.
struct DashboardBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dashboard", abstract: "Dashboard frame time and terminal bytes per second on a synthetic run.")

  @Option(help: "Iterations of history in the synthetic run.") var iterations = 300
  @Option(help: "Timed frames per size.") var frames = 200
  @Option(help: "Colour depth of the byte count: 24bit, 256, 16 or none.") var colors = "256"
  @Option(help: "Also write the synthetic run as events.jsonl here (try it with grpotop replay).") var writeEvents: String?

  func run() throws {
    guard let mode = ColorMode(flag: colors) else { throw ValidationError("--colors must be 24bit, 256, 16 or none") }
    let events = SyntheticRun(iterations: iterations, totalIterations: iterations + iterations / 3).events()
    if let path = writeEvents {
      let lines = try events.map { try JSONLines.encode($0) }
      try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
      print("wrote \(events.count) events to \(path)")
    }
    var state = DashboardState()
    state.apply(events)
    print("grpotop bench dashboard · synthetic adv-grpo run, \(iterations) iterations, \(events.count) events, 16-sample groups")
    print("\n── render (every panel live) ──")
    for (w, h) in [(120, 36), (200, 60)] {
      for mode in [ColorMode.truecolor, .none] {
        let view = ViewState(colorMode: mode)
        let ms = renderTime(state, view, TerminalSize(width: w, height: h))
        print(String(format: "  %3d×%-3d %-6@  median %.3f ms/frame   (target < 2 ms)", w, h, mode.label as NSString, ms))
      }
    }
    print("\n── terminal bytes at \(mode.label) colours, 10 frames/s, 1.9 s/it ──")
    for (w, h) in [(120, 36), (200, 60)] {
      let size = TerminalSize(width: w, height: h)
      let charts = liveBytes(events, size: size, mode: mode, includeSamples: false)
      let all = liveBytes(events, size: size, mode: mode, includeSamples: true)
      print(String(format: "  %3d×%-3d only charts change: %6.0f B/s (%.0f B/frame drawn, worst case a new iteration every frame: %.0f B/s)",
                   w, h, charts.perSecond, charts.perFrame, charts.worst))
      print(String(format: "           with a new sample group every iteration: %6.0f B/s   (target < 20 KB/s for charts)", all.perSecond))
    }
    snapshotTimes(state)
  }

  /// What the `s` key costs: loading the font once, then rasterizing a frame and encoding it
  /// as PNG (the write itself is one rename more).
  func snapshotTimes(_ state: DashboardState) {
    print("\n── PNG snapshot (s key, grpotop snapshot) ──")
    let loading = Stopwatch()
    guard let font = try? BitmapFont.load() else {
      print("  skipped: \(BitmapFont.defaultPath) is missing (apt-get install unifont)")
      return
    }
    print(String(format: "  font: %d glyphs loaded in %.0f ms (once per process)", font.count, loading.seconds * 1000))
    for (w, h) in [(120, 36), (160, 48), (200, 60)] {
      let view = ViewState(colorMode: .truecolor)
      let grid = render(state, view, size: TerminalSize(width: w, height: h))
      let rasterizer = CellRasterizer(font: font, palette: SnapshotPalette(theme: view.theme, mode: .truecolor))
      var raster: [Double] = [], encode: [Double] = [], bytes = 0
      for _ in 0..<max(3, frames / 20) {
        let sw = Stopwatch()
        let image = rasterizer.image(grid)
        raster.append(sw.seconds * 1000)
        let sw2 = Stopwatch()
        bytes = (try? PNG.encode(image).count) ?? 0
        encode.append(sw2.seconds * 1000)
      }
      print(String(format: "  %3d×%-3d %4d×%-4d px  rasterize %.1f ms  PNG encode %.1f ms  %.0f KB",
                   w, h, w * 8, h * 16, median(raster), median(encode), Double(bytes) / 1024))
    }
  }

  /// Median wall time of rendering one frame.
  func renderTime(_ state: DashboardState, _ view: ViewState, _ size: TerminalSize) -> Double {
    for _ in 0..<5 { _ = render(state, view, size: size) }
    var times: [Double] = []
    for _ in 0..<frames {
      let sw = Stopwatch()
      _ = render(state, view, size: size)
      times.append(sw.seconds * 1000)
    }
    return median(times)
  }

  /// Replays the last 40 iterations as a live run drawn at 10 frames/s (a frame only when
  /// something changed) and counts the bytes of each frame's difference.
  func liveBytes(_ events: [RunEvent], size: TerminalSize, mode: ColorMode, includeSamples: Bool)
    -> (perSecond: Double, perFrame: Double, worst: Double) {
    let lastIteration = iterations - 1
    let startIteration = max(0, lastIteration - 40)
    let view = ViewState(colorMode: mode)
    var state = DashboardState()
    var live: [RunEvent] = []
    for e in events {
      if iteration(of: e).map({ $0 < startIteration }) ?? true { state.apply(e) } else { live.append(e) }
    }
    if !includeSamples {
      live.removeAll { if case .samples = $0.payload { return true } else { return false } }
    }
    guard let t0 = live.first?.time, let t1 = live.last?.time else { return (0, 0, 0) }
    var previous = render(state, view, size: size)
    var bytes = 0, drawn = 0, i = 0
    var t = t0
    while t <= t1 {
      var changed = false
      while i < live.count && live[i].time <= t {
        state.apply(live[i])
        i += 1
        changed = true
      }
      if changed {
        let next = render(state, view, size: size)
        bytes += AnsiDiff.count(from: previous, to: next, mode: mode)
        drawn += 1
        previous = next
      }
      t += 0.1
    }
    let seconds = max(0.1, t1 - t0)
    // Worst case: every frame carries a whole iteration's worth of changes.
    let iterationsLive = Double(max(1, lastIteration - startIteration))
    let perIteration = Double(bytes) / iterationsLive
    return (Double(bytes) / seconds, Double(bytes) / Double(max(1, drawn)), perIteration * 10)
  }

  func iteration(of e: RunEvent) -> Int? {
    switch e.payload {
    case .phase(let p): return p.iteration
    case .stepMetrics(let m), .iterationMetrics(let m), .evaluation(let m): return m.iteration
    case .histogram(let h): return h.iteration
    case .samples(let g): return g.iteration
    case .discriminatorUpdate(let d): return d.iteration
    case .hyperparameterChange(let c): return c.iteration
    case .checkpoint(let c): return c.iteration
    case .runEnd(let r): return r.iteration
    case .runStart, .log: return nil
    }
  }
}
