import Foundation
import RunProtocol
import TestSupport
import XCTest
@testable import Dashboard

/// The real binary in a real terminal: `grpotop replay` inside a detached tmux session (on a
/// private tmux server, so the user's sessions are never touched), read back with
/// capture-pane, keys sent with send-keys. Polls with a bounded retry loop, so it never
/// depends on timing; skipped when tmux or the binary is missing.
final class TmuxSmokeTests: WholeProgramTestCase {
  func testReplayShowsPanelsAndQuits() throws {
    let bin = try requireBinary()
    let d = try scratchDirectory("dash-tmux")
    let events = SyntheticRun(iterations: 30, totalIterations: 40, thumbnailSize: 16, finished: true).events()
    try (events.map { try JSONLines.encode($0) }.joined(separator: "\n") + "\n")
      .write(to: d.appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
    let session = TmuxSession(name: "replay")
    tmux = session
    let command = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color '\(bin)' replay --speed 100 '\(d.path)'; echo EXITED $?; sleep 60"
    XCTAssertTrue(session.start(command, width: 120, height: 36))
    // Played back 100× faster through the live path: wait for the end of the recording.
    let screen = session.wait { $0.contains("✓ completed") }
    for title in ["grpotop · adv-grpo · iter 29/40", "Reward: generated vs reference", "Advantages", "KL · approx_kl · clipfrac",
                  "Discriminator", "Samples: prompt", "Hyperparameters", "Evaluation", "Log", "✓ completed", "replay", " · 256 · "] {
      XCTAssertTrue(screen.contains(title), "\(title) missing:\n\(screen)")
    }
    // Braille and half blocks made it to the screen (setlocale before newterm).
    XCTAssertTrue(screen.unicodeScalars.contains { $0.value >= 0x2801 && $0.value <= 0x28FF }, screen)
    XCTAssertTrue(screen.contains("▀"), screen)
    // Read-only: p is refused with a hint; ? opens the help; q quits and the shell gets the
    // terminal back.
    session.send("p")
    XCTAssertTrue(session.wait { $0.contains("read-only: control keys are off") }.contains("read-only: control keys are off"))
    session.send("?")
    XCTAssertTrue(session.wait { $0.contains("Run control") }.contains("Run control"))
    session.send("Escape")
    session.send("q")
    let end = session.wait { $0.contains("EXITED") }
    XCTAssertTrue(end.contains("EXITED 0"), end)
  }

  func testTooSmallTerminalShowsTheMessage() throws {
    let bin = try requireBinary()
    let d = try scratchDirectory("dash-tmux")
    let events = SyntheticRun(iterations: 3, thumbnailSize: 8).events()
    let file = d.appendingPathComponent("events.jsonl")
    try (events.map { try JSONLines.encode($0) }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    let session = TmuxSession(name: "small")
    tmux = session
    let command = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 TERM=tmux-256color '\(bin)' replay '\(file.path)'; echo EXITED $?; sleep 60"
    XCTAssertTrue(session.start(command, width: 60, height: 20))
    let screen = session.wait { $0.contains("too small") }
    XCTAssertTrue(screen.contains("terminal too small: 60×20"), screen)
    // Growing the window brings the dashboard (KEY_RESIZE).
    session.resize(width: 100, height: 30)
    XCTAssertTrue(session.wait { $0.contains("Hyperparameters") }.contains("Hyperparameters"))
    session.send("q")
    XCTAssertTrue(session.wait { $0.contains("EXITED") }.contains("EXITED 0"))
  }
}
