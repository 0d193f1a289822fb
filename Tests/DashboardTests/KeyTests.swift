import RunProtocol
import XCTest
@testable import Dashboard

/// Keys change the view and produce the right commands; editing refuses bad values inline.
final class KeyTests: XCTestCase {
  static let state: DashboardState = {
    var s = DashboardState()
    s.apply(SyntheticRun(iterations: 5, totalIterations: 100, thumbnailSize: 4).events())
    return s
  }()

  func press(_ keys: [Key], _ view: inout ViewState, _ state: DashboardState = KeyTests.state) -> KeyOutcome {
    var all = KeyOutcome()
    for k in keys {
      let o = KeyHandler.handle(k, view: &view, state: state)
      all.commands += o.commands
      all.quit = all.quit || o.quit
      all.snapshot = all.snapshot || o.snapshot
    }
    return all
  }

  func typed(_ s: String) -> [Key] { s.map { Key.char($0) } }

  func testEditRefusesNegativeLearningRateInline() {
    var v = ViewState(colorMode: .truecolor)
    v.focus = .hyperparameters
    XCTAssertEqual(Self.state.hyperparameters.first?.key, "lr")
    // Enter opens the editor on lr; typing replaces the current value.
    var out = press([.enter] + typed("-1e-4") + [.enter], &v)
    XCTAssertEqual(out.commands, [])
    XCTAssertEqual(v.edit?.key, "lr")
    XCTAssertEqual(v.edit?.error, Self.state.spec("lr")?.refusal(for: .number(-1e-4)))
    XCTAssertTrue(v.edit?.error?.hasPrefix("lr must be ≥") ?? false)
    // The editor row shows the reason in the panel.
    let text = render(Self.state, v, size: TerminalSize(width: 120, height: 36)).text
    XCTAssertTrue(text.contains("✗ lr must be ≥"), text)
    // Not a number at all.
    out = press([.backspace, .backspace, .backspace, .backspace, .backspace] + typed("abc") + [.enter], &v)
    XCTAssertEqual(v.edit?.error, "lr needs a number, got 'abc'")
    // A valid value is sent as a set command and shown as pending.
    out = press(Array(repeating: .backspace, count: 3) + typed("1e-4") + [.enter], &v)
    XCTAssertEqual(out.commands, [.set(key: "lr", value: .number(1e-4))])
    XCTAssertNil(v.edit)
    XCTAssertEqual(v.pending["lr"], .number(1e-4))
  }

  func testNudgeFollowsTheSchema() {
    var v = ViewState(colorMode: .truecolor)
    v.focus = .hyperparameters
    // lr: ×2 / ÷2.
    var out = press([.enter, .right, .enter], &v)
    XCTAssertEqual(out.commands, [.set(key: "lr", value: .number(6e-4))])
    // grpo.optimizer_steps_per_iteration (index 3): ±1, and 0 is refused by its range.
    v.selectedHyperparameter = 3
    out = press([.enter, .left, .left, .enter], &v)
    XCTAssertEqual(out.commands, [])
    XCTAssertEqual(v.edit?.error, "grpo.optimizer_steps_per_iteration must be ≥ 1, got 0")
    out = press([.right, .enter], &v)
    XCTAssertEqual(out.commands, [.set(key: "grpo.optimizer_steps_per_iteration", value: .number(1))])
    // A choice cycles.
    v.selectedHyperparameter = 5
    out = press([.enter, .right, .enter], &v)
    XCTAssertEqual(out.commands, [.set(key: "discriminator.schedule", value: .string("ratio"))])
    // A key that is not live cannot be edited at all.
    v.selectedHyperparameter = 7
    out = press([.enter], &v)
    XCTAssertNil(v.edit)
    XCTAssertEqual(v.message, "sampler.steps cannot change while the run goes on")
  }

  func testPendingClearsWhenTheRunEchoesTheChange() {
    var v = ViewState(colorMode: .truecolor)
    v.pending["kl.beta"] = .number(0.08)
    var s = Self.state
    s.apply(RunEvent(seq: 0, time: 0, payload: .hyperparameterChange(HyperparameterChange(
      iteration: 5, key: "kl.beta", old: .number(0.04), new: .number(0.08), by: "dashboard"))))
    KeyHandler.reconcile(view: &v, state: s)
    XCTAssertNil(v.pending["kl.beta"])
  }

  func testControlKeys() {
    var v = ViewState(colorMode: .truecolor)
    XCTAssertEqual(press([.char("p")], &v).commands, [.pause])
    XCTAssertEqual(press([.char(" ")], &v).commands, [], "space steps only while paused")
    var paused = Self.state
    paused.apply(RunEvent(seq: 0, time: 0, payload: .phase(PhaseChange(iteration: 5, phase: .paused))))
    XCTAssertEqual(press([.char(" ")], &v, paused).commands, [.step])
    XCTAssertEqual(press([.char("p")], &v, paused).commands, [.resume])
    XCTAssertEqual(press([.char("c"), .char("s")], &v).commands, [.saveCheckpoint, .snapshot])
    XCTAssertTrue(press([.char("s")], &v).snapshot)
    // q asks first; n keeps going, y stops.
    var out = press([.char("q")], &v)
    XCTAssertTrue(v.confirmStop)
    XCTAssertFalse(out.quit)
    XCTAssertTrue(render(Self.state, v, size: TerminalSize(width: 120, height: 36)).row(35).contains("stop training?"))
    out = press([.char("n")], &v)
    XCTAssertEqual(out.commands, [])
    XCTAssertFalse(v.confirmStop)
    out = press([.char("q"), .char("y")], &v)
    XCTAssertEqual(out.commands, [.stop])
    XCTAssertTrue(v.stopping)
    XCTAssertTrue(press([.char("q")], &v).quit, "q again leaves at once")
  }

  func testReadOnlyDisablesEveryCommandKey() {
    var v = ViewState(colorMode: .truecolor, readOnly: "--read-only")
    v.focus = .hyperparameters
    let out = press([.char("p"), .char(" "), .char("c"), .char("s"), .enter], &v)
    XCTAssertEqual(out.commands, [])
    XCTAssertNil(v.edit)
    XCTAssertEqual(v.message, "read-only: editing is off (--read-only)")
    _ = press([.char("p")], &v)
    XCTAssertEqual(v.message, "read-only: control keys are off (--read-only)")
    // A snapshot of the screen is still allowed, without asking the run for anything.
    let snap = press([.char("s")], &v)
    XCTAssertEqual(snap.commands, [])
    XCTAssertTrue(snap.snapshot)
    XCTAssertTrue(press([.char("q")], &v).quit, "q quits without asking when read-only")
  }

  func testViewKeys() {
    var v = ViewState(colorMode: .truecolor)
    _ = press([.char("2")], &v)
    XCTAssertEqual(v.preset, .charts)
    _ = press([.tab, .tab], &v)
    XCTAssertEqual(v.focus, .kl)
    _ = press([.char("e")], &v)
    XCTAssertEqual(v.expanded, .kl)
    XCTAssertEqual(Layout.panels(v, width: 120, height: 36).map(\.0), [.kl])
    _ = press([.escape, .char("l")], &v)
    XCTAssertNil(v.expanded)
    XCTAssertFalse(v.logY.contains(.kl))
    _ = press([.char("m"), .char("b"), .char("f"), .char("t")], &v)
    XCTAssertEqual(v.smoothingIndex, 3)
    XCTAssertEqual(v.chartMode, .block)
    XCTAssertTrue(v.frozen)
    XCTAssertEqual(v.theme.name, "light")
    _ = press([.char("+")], &v)
    XCTAssertEqual(v.window, 50)
    _ = press([.char("=")], &v)
    XCTAssertNil(v.window)
    // Samples: select and scrub history, newest on the right.
    _ = press([.left], &v)
    XCTAssertEqual(v.selectedSample, 15)
    _ = press([.char("["), .char("[")], &v)
    XCTAssertEqual(v.sampleHistory, 2)
    _ = press([.char("]"), .char("]")], &v)
    XCTAssertNil(v.sampleHistory)
  }
}
