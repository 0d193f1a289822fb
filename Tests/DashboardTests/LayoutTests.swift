import RunProtocol
import XCTest
@testable import Dashboard

/// Every layout at every size keeps panels inside the screen, apart, and drawing only inside
/// their own rectangles; below 80×24 the screen says it is too small.
final class LayoutTests: XCTestCase {
  static let state: DashboardState = {
    var s = DashboardState()
    s.apply(SyntheticRun(iterations: 40, totalIterations: 60, thumbnailSize: 16).events())
    return s
  }()

  static let sizes = [(80, 24), (81, 25), (100, 30), (120, 36), (160, 48), (200, 60)]

  /// Every preset, and every panel expanded.
  static var views: [ViewState] {
    var out: [ViewState] = []
    for p in LayoutPreset.allCases {
      var v = ViewState(colorMode: .truecolor)
      v.preset = p
      out.append(v)
    }
    for k in PanelKind.allCases {
      var v = ViewState(colorMode: .truecolor)
      v.expanded = k
      out.append(v)
    }
    return out
  }

  func testPanelsStayInsideTheBodyAndApart() {
    for (w, h) in Self.sizes {
      let body = Layout.body(width: w, height: h)
      for v in Self.views {
        let panels = Layout.panels(v, width: w, height: h)
        XCTAssertFalse(panels.isEmpty)
        for (i, (kind, r)) in panels.enumerated() {
          XCTAssertEqual(r.intersection(body), r, "\(kind) \(r) outside the body at \(w)×\(h)")
          XCTAssertGreaterThanOrEqual(r.height, 4, "\(kind) too short at \(w)×\(h) in \(v.preset)")
          XCTAssertGreaterThanOrEqual(r.width, 20, "\(kind) too narrow at \(w)×\(h) in \(v.preset)")
          for (other, o) in panels[(i + 1)...] {
            XCTAssertFalse(r.intersects(o), "\(kind) \(r) overlaps \(other) \(o) at \(w)×\(h)")
          }
        }
      }
    }
  }

  func testEachPanelWritesOnlyInsideItsRect() {
    // Draw each panel alone on a grid of sentinels; every changed cell must be inside its rect.
    let sentinel = Cell("\u{1}", Style(fg: .palette(13)))
    for (w, h) in Self.sizes {
      for v in Self.views {
        let ctx = PanelContext(state: Self.state, view: v)
        for (kind, r) in Layout.panels(v, width: w, height: h) {
          var g = CellGrid(width: w, height: h, fill: sentinel)
          Panels.draw(kind, rect: r, into: &g, ctx)
          for y in 0..<h {
            for x in 0..<w where !r.contains(x, y) {
              XCTAssertEqual(g[x, y], sentinel, "\(kind) wrote (\(x),\(y)) outside \(r) at \(w)×\(h)")
            }
          }
        }
      }
    }
  }

  func testWholeScreenShowsEveryPanelTitleAt80x24() {
    let g = render(Self.state, ViewState(colorMode: .ansi16), size: TerminalSize(width: 80, height: 24))
    let text = g.text
    for title in ["Reward", "Advantages", "KL", "Discriminator", "Samples", "Hyperparameters", "Evaluation", "Log"] {
      XCTAssertTrue(text.contains(title), "\(title) missing at 80×24:\n\(text)")
    }
    XCTAssertTrue(g.row(0).contains("grpotop · adv-grpo · iter 39/60"), g.row(0))
    XCTAssertTrue(g.row(0).contains("16"), "colour mode in the status bar")
  }

  func testTooSmallShowsTheMessage() {
    for (w, h) in [(60, 20), (79, 24), (80, 23)] {
      let g = render(Self.state, ViewState(colorMode: .truecolor), size: TerminalSize(width: w, height: h))
      XCTAssertTrue(g.text.contains("terminal too small: \(w)×\(h)"), g.text)
      XCTAssertTrue(g.text.contains("at least 80×24"))
      XCTAssertFalse(g.text.contains("Reward"))
    }
  }

  func testHelpOverlayGroupsKeysAndMarksControlOffWhenReadOnly() {
    var v = ViewState(colorMode: .truecolor, readOnly: "--read-only")
    v.showHelp = true
    let text = render(Self.state, v, size: TerminalSize(width: 120, height: 36)).text
    for group in ["General", "Charts", "Samples", "Run control"] { XCTAssertTrue(text.contains(group), group) }
    XCTAssertTrue(text.contains("pause / resume within the phase (off: read-only)"))
  }

  func testSamplesFitTheWholeGroup() {
    guard let f = SamplesPanel.fit(width: 118, height: 8, samples: 16, references: 4) else { return XCTFail("no fit") }
    XCTAssertGreaterThanOrEqual(f.rows * f.cols, 16)
    XCTAssertLessThanOrEqual((f.cols + f.refCols) * (f.w + 1) + 1, 118)
    XCTAssertLessThanOrEqual(f.rows * (f.h + f.labels), 8)
    // Zoomed: the sample beside its references.
    var v = ViewState(colorMode: .truecolor)
    v.preset = .samples
    v.zoomSample = true
    let text = render(Self.state, v, size: TerminalSize(width: 120, height: 36)).text
    XCTAssertTrue(text.contains("generated"))
    XCTAssertTrue(text.contains("reference 1"))
  }
}
