import Foundation
import RunProtocol
import TestSupport
import XCTest
@testable import Dashboard

/// `grpotop train` with its dashboard, as a user drives it: the real binary on the tiny
/// Adv-GRPO config in a detached tmux window, keys sent with send-keys, the screen read with
/// capture-pane and the run's events.jsonl read back. Every wait is a bounded poll for a
/// state the program must reach (an event, a screen line), never a sleep that hopes.
final class TrainDashboardTmuxTests: RunFileTestCase {
  /// Starts a tiny Adv-GRPO run in tmux; returns the tmux session, the binary and the run directory.
  func startRun(_ name: String, width: Int = 120, height: Int = 36) throws -> (TmuxSession, String, URL) {
    let bin = try requireBinary()
    let d = try scratchDirectory("train-tmux-\(name)")
    let run = d.appendingPathComponent("run")
    let config = configs.appendingPathComponent("tiny-adv-grpo.yaml").path
    // After the program: whether the terminal is back in canonical mode (the shell's own).
    let after = "echo EXITED $?; stty -a | tr ' ;' '\\n\\n' | grep -qx icanon && echo TERMINAL-RESTORED; sleep 120"
    let command = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 TERM=tmux-256color OPENBLAS_NUM_THREADS=1 "
      + "'\(bin)' train --config '\(config)' --run-dir '\(run.path)'; \(after)"
    let s = TmuxSession(name: name)
    tmux = s
    XCTAssertTrue(s.start(command, width: width, height: height))
    return (s, bin, run)
  }

  func testPauseStepEditResizeAndQuitWithCheckpoint() throws {
    let (s, _, run) = try startRun("control")
    // Panels with live numbers.
    let live = s.wait(seconds: 120) { (self.shownIteration($0) ?? 0) >= 2 && $0.contains("Hyperparameters") }
    for title in ["grpotop · adv-grpo", "Reward: generated vs reference", "Advantages", "KL · approx_kl · clipfrac",
                  "Discriminator", "Samples: prompt", "Hyperparameters", "Evaluation", "Log", "▶ running"] {
      XCTAssertTrue(live.contains(title), "\(title) missing:\n\(live)")
    }
    XCTAssertTrue(live.contains("r_gen "), live)

    // p pauses: the pause is an event, and the counter stops.
    s.send("p")
    var e = waitEvents(run) { self.pausedPhases($0) >= 1 }
    XCTAssertEqual(pausedPhases(e), 1, "no pause event")
    let paused = iterationsDone(e)
    XCTAssertTrue(s.wait { $0.contains("⏸ paused") }.contains("⏸ paused"))

    // space runs exactly one iteration, then the run holds again (a second pause phase).
    s.send("Space")
    e = waitEvents(run) { self.pausedPhases($0) >= 2 }
    XCTAssertEqual(iterationsDone(e), paused + 1, "space must run exactly one iteration")

    // Edit grpo.lr: focus the hyperparameters panel, select the key, Enter. Each key waits
    // for the screen to show its effect before the next is sent.
    try openEditor(s, key: "grpo.lr", events: e)
    let opened = s.wait { $0.contains("0.0003 → 0.0003▏") }
    XCTAssertTrue(opened.contains("0.0003 → 0.0003▏"), "the editor did not open:\n\(opened)")
    s.type("-1")
    XCTAssertTrue(s.wait { $0.contains("→ -1▏") }.contains("→ -1▏"))
    s.send("Enter")
    let refused = s.wait { $0.contains("✗ grpo.lr must be") }
    XCTAssertTrue(refused.contains("✗ grpo.lr must be ≥"), refused)
    // Clear the refused text (Escape then Enter could arrive as one Alt+Enter sequence).
    s.send("BSpace")
    s.send("BSpace")
    XCTAssertTrue(s.wait { $0.contains("0.0003 → ▏") }.contains("0.0003 → ▏"))
    s.type("0.0002")
    XCTAssertTrue(s.wait { $0.contains("→ 0.0002▏") }.contains("→ 0.0002▏"))
    s.send("Enter")
    e = waitEvents(run) { $0.contains { if case .hyperparameterChange = $0.payload { return true } else { return false } } }
    let change = e.compactMap { if case .hyperparameterChange(let c) = $0.payload { return c } else { return nil } }.first
    XCTAssertEqual(change?.key, "grpo.lr")
    XCTAssertEqual(change?.old.double, 0.0003)
    XCTAssertEqual(change?.new.double, 0.0002)
    XCTAssertEqual(change?.by, "dashboard")
    XCTAssertEqual(iterationsDone(e), paused + 1, "an edit while paused must not run an iteration")
    let shown = s.wait { $0.contains("grpo.lr: 0.0003 → 0.0002") }
    XCTAssertTrue(shown.contains("grpo.lr: 0.0003 → 0.0002"), shown)
    // The next iteration trains with it.
    s.send("Space")
    e = waitEvents(run) { self.iterationsDone($0) >= paused + 2 }
    let metrics = e.compactMap { if case .iterationMetrics(let m) = $0.payload { return m } else { return nil } }
    XCTAssertEqual(metrics.last?.values["lr"], 0.0002,
                   "lr by iteration: \(metrics.map { "\($0.iteration):\($0.values["lr"] ?? -1)" }), change at \(change?.iteration ?? -1)")

    // Resizing to 80×24 and back keeps it drawing.
    s.resize(width: 80, height: 24)
    let small = s.wait { $0.contains("grpotop · adv-grpo") && $0.split(separator: "\n").first.map { $0.count <= 80 } == true }
    XCTAssertTrue(small.contains("grpotop · adv-grpo"), small)
    XCTAssertFalse(small.contains("too small"), small)
    s.resize(width: 120, height: 36)
    XCTAssertTrue(s.wait { $0.contains("Hyperparameters") && $0.contains("Discriminator") }.contains("Hyperparameters"))

    // q asks; y stops: a checkpoint, the run's end, and the shell's terminal back.
    s.send("q")
    XCTAssertTrue(s.wait { $0.contains("stop training?") }.contains("stop training?"))
    s.send("y")
    let end = s.wait(seconds: 60) { $0.contains("EXITED") }
    XCTAssertTrue(end.contains("EXITED 0"), end)
    XCTAssertTrue(s.wait { $0.contains("TERMINAL-RESTORED") }.contains("TERMINAL-RESTORED"))
    e = events(run)
    let stopCheckpoint = e.compactMap { if case .checkpoint(let c) = $0.payload, c.reason == "stop" { return c } else { return nil } }.last
    XCTAssertNotNil(stopCheckpoint, "q + y must leave a checkpoint")
    if let path = stopCheckpoint?.path { XCTAssertTrue(FileManager.default.fileExists(atPath: path)) }
    guard case .runEnd(let runEnd)? = e.last?.payload else { return XCTFail("the last event must be run_end") }
    XCTAssertEqual(runEnd.status, "stopped")
  }

  func testSIGHUPLeavesTheTerminalUsableAndTheRunResumable() throws {
    let (s, bin, run) = try startRun("hup")
    XCTAssertTrue(s.wait(seconds: 120) { (self.shownIteration($0) ?? 0) >= 2 }.contains("grpotop · adv-grpo"))
    // The ssh session drops: SIGHUP to grpotop (matched by its unique run directory).
    XCTAssertEqual(TmuxSession.shell("pkill -HUP -f -- '--run-dir \(run.path)'"), 0)
    let end = s.wait(seconds: 60) { $0.contains("EXITED") }
    XCTAssertTrue(end.contains("EXITED 0"), end)
    XCTAssertTrue(s.wait { $0.contains("TERMINAL-RESTORED") }.contains("TERMINAL-RESTORED"))
    let e = events(run)
    guard case .runEnd(let runEnd)? = e.last?.payload else { return XCTFail("the last event must be run_end") }
    XCTAssertEqual(runEnd.status, "stopped")
    // Resumable: continue headless for two more iterations from the saved checkpoint.
    let out = run.deletingLastPathComponent().appendingPathComponent("resume.log").path
    let status = TmuxSession.shell("OPENBLAS_NUM_THREADS=1 '\(bin)' train --headless --resume '\(run.path)' --set iterations=\(runEnd.iteration + 2) >'\(out)' 2>&1")
    let log = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    XCTAssertEqual(status, 0, log)
    let resumed = events(run)
    let starts = resumed.compactMap { if case .runStart(let r) = $0.payload { return r } else { return nil } }
    XCTAssertEqual(starts.count, 2)
    XCTAssertEqual(starts.last?.startIteration, runEnd.iteration)
    guard case .runEnd(let second)? = resumed.last?.payload else { return XCTFail("the resumed run must end") }
    XCTAssertEqual(second.status, "completed")
    XCTAssertEqual(second.iteration, runEnd.iteration + 2)
  }
}
