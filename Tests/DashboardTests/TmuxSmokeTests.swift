import Foundation
import RunProtocol
import XCTest
@testable import Dashboard

/// The real binary in a real terminal: `grpotop replay` inside a detached tmux session, read
/// back with capture-pane, keys sent with send-keys. Polls with a bounded retry loop, so it
/// never depends on timing; skipped when tmux or the binary is missing.
final class TmuxSmokeTests: XCTestCase {
  var session = ""
  var dir: URL?

  override func tearDown() {
    if !session.isEmpty { _ = run(["tmux", "kill-session", "-t", session]) }
    if let d = dir { try? FileManager.default.removeItem(at: d) }
  }

  /// Runs a command through /bin/sh (system(3): fork, exec, waitpid) and returns its status
  /// and stdout, read back from a temporary file. Foundation's Process can wait forever here:
  /// `tmux new-session` forks a server that outlives its client and inherits its descriptors.
  @discardableResult
  func run(_ args: [String]) -> (status: Int32, output: String) {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-out-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let line = args.map(quote).joined(separator: " ") + " > \(quote(out)) 2>/dev/null < /dev/null"
    let raw = system(line)
    let status = raw == -1 ? -1 : (raw >> 8) & 0xFF
    let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    return (status, text)
  }

  /// The grpotop binary built next to this test bundle.
  func binary() -> String? {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("grpotop").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return nil
  }

  /// Polls capture-pane until `predicate` holds (at most ~20 s).
  func waitForScreen(_ predicate: (String) -> Bool) -> String {
    var screen = ""
    for _ in 0..<200 {
      screen = run(["tmux", "capture-pane", "-p", "-t", session]).output
      if predicate(screen) { return screen }
      usleep(100_000)
    }
    return screen
  }

  func testReplayShowsPanelsAndQuits() throws {
    guard run(["tmux", "-V"]).status == 0 else { throw XCTSkip("tmux is not installed") }
    guard let bin = binary() else { throw XCTSkip("grpotop binary not built next to the tests") }
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("dash-tmux-\(UUID().uuidString)")
    dir = d
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    let events = SyntheticRun(iterations: 30, totalIterations: 40, thumbnailSize: 16, finished: true).events()
    try (events.map { try JSONLines.encode($0) }.joined(separator: "\n") + "\n")
      .write(to: d.appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
    session = "grpotop-test-\(getpid())"
    let command = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color '\(bin)' replay '\(d.path)'; echo EXITED $?; sleep 60"
    XCTAssertEqual(run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36", command]).status, 0)
    let screen = waitForScreen { $0.contains("Hyperparameters") && $0.contains("Log") }
    for title in ["grpotop · adv-grpo · iter 29/40", "Reward: generated vs reference", "Advantages", "KL · approx_kl · clipfrac",
                  "Discriminator", "Samples: prompt", "Hyperparameters", "Evaluation", "Log", "✓ completed", "replay"] {
      XCTAssertTrue(screen.contains(title), "\(title) missing:\n\(screen)")
    }
    // Braille and half blocks made it to the screen (setlocale before newterm).
    XCTAssertTrue(screen.unicodeScalars.contains { $0.value >= 0x2801 && $0.value <= 0x28FF }, screen)
    XCTAssertTrue(screen.contains("▀"), screen)
    // Read-only: p is refused with a hint; ? opens the help; q quits and the shell gets the
    // terminal back.
    run(["tmux", "send-keys", "-t", session, "p"])
    XCTAssertTrue(waitForScreen { $0.contains("read-only: control keys are off") }.contains("read-only: control keys are off"))
    run(["tmux", "send-keys", "-t", session, "?"])
    XCTAssertTrue(waitForScreen { $0.contains("Run control") }.contains("Run control"))
    run(["tmux", "send-keys", "-t", session, "Escape"])
    run(["tmux", "send-keys", "-t", session, "q"])
    let end = waitForScreen { $0.contains("EXITED") }
    XCTAssertTrue(end.contains("EXITED 0"), end)
  }

  func testTooSmallTerminalShowsTheMessage() throws {
    guard run(["tmux", "-V"]).status == 0 else { throw XCTSkip("tmux is not installed") }
    guard let bin = binary() else { throw XCTSkip("grpotop binary not built next to the tests") }
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("dash-tmux-\(UUID().uuidString)")
    dir = d
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    let events = SyntheticRun(iterations: 3, thumbnailSize: 8).events()
    let file = d.appendingPathComponent("events.jsonl")
    try (events.map { try JSONLines.encode($0) }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    session = "grpotop-small-\(getpid())"
    let command = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 TERM=tmux-256color '\(bin)' replay '\(file.path)'; echo EXITED $?; sleep 60"
    XCTAssertEqual(run(["tmux", "new-session", "-d", "-s", session, "-x", "60", "-y", "20", command]).status, 0)
    let screen = waitForScreen { $0.contains("too small") }
    XCTAssertTrue(screen.contains("terminal too small: 60×20"), screen)
    // Growing the window brings the dashboard (KEY_RESIZE).
    run(["tmux", "resize-window", "-t", session, "-x", "100", "-y", "30"])
    XCTAssertTrue(waitForScreen { $0.contains("Hyperparameters") }.contains("Hyperparameters"))
    run(["tmux", "send-keys", "-t", session, "q"])
    XCTAssertTrue(waitForScreen { $0.contains("EXITED") }.contains("EXITED 0"))
  }
}
