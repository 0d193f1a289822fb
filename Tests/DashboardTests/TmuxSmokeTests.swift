import Foundation
import RunProtocol
import XCTest
@testable import Dashboard

/// The real binary in a real terminal: `grpotop replay` inside a detached tmux session (on a
/// private tmux server, so the user's sessions are never touched), read back with
/// capture-pane, keys sent with send-keys. Polls with a bounded retry loop, so it never
/// depends on timing; skipped when tmux or the binary is missing.
final class TmuxSmokeTests: XCTestCase {
  var session = ""
  var dir: URL?
  let socket = "grpotop-tests-\(getpid())"

  override func tearDown() {
    if !session.isEmpty { tmux(["kill-server"]) }
    if let d = dir { try? FileManager.default.removeItem(at: d) }
  }

  /// Runs a tmux command on the private server through /bin/sh, waiting with waitpid.
  /// Foundation's Process is not used: it learns of a child's exit through a socket the child
  /// inherits, and the tmux server forked by new-session keeps that socket open forever.
  @discardableResult
  func tmux(_ args: [String], output: Bool = false) -> (status: Int32, output: String) {
    let quoted = (["tmux", "-L", socket] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    let command = quoted.joined(separator: " ") + " >'\(file)' 2>/dev/null </dev/null"
    let words: [String] = ["/bin/sh", "-c", command]
    let pairs: [String] = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
    let envp: [UnsafeMutablePointer<CChar>?] = pairs.map { strdup($0) }
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    var cArgv = argv + [nil], cEnvp = envp + [nil]
    guard posix_spawn(&pid, "/bin/sh", nil, nil, &cArgv, &cEnvp) == 0 else { return (-1, "") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let text = output ? ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "") : ""
    return ((status >> 8) & 0xff, text)
  }

  var hasTmux: Bool { tmux(["-V"]).status == 0 }

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
      screen = tmux(["capture-pane", "-p", "-t", session], output: true).output
      if predicate(screen) { return screen }
      usleep(100_000)
    }
    return screen
  }

  func testReplayShowsPanelsAndQuits() throws {
    guard hasTmux else { throw XCTSkip("tmux is not installed") }
    guard let bin = binary() else { throw XCTSkip("grpotop binary not built next to the tests") }
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("dash-tmux-\(UUID().uuidString)")
    dir = d
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    let events = SyntheticRun(iterations: 30, totalIterations: 40, thumbnailSize: 16, finished: true).events()
    try (events.map { try JSONLines.encode($0) }.joined(separator: "\n") + "\n")
      .write(to: d.appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
    session = "grpotop-test-\(getpid())"
    let command = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color '\(bin)' replay --speed 100 '\(d.path)'; echo EXITED $?; sleep 60"
    XCTAssertEqual(tmux(["new-session", "-d", "-s", session, "-x", "120", "-y", "36", command]).status, 0)
    // Played back 100× faster through the live path: wait for the end of the recording.
    let screen = waitForScreen { $0.contains("✓ completed") }
    for title in ["grpotop · adv-grpo · iter 29/40", "Reward: generated vs reference", "Advantages", "KL · approx_kl · clipfrac",
                  "Discriminator", "Samples: prompt", "Hyperparameters", "Evaluation", "Log", "✓ completed", "replay", " · 256 · "] {
      XCTAssertTrue(screen.contains(title), "\(title) missing:\n\(screen)")
    }
    // Braille and half blocks made it to the screen (setlocale before newterm).
    XCTAssertTrue(screen.unicodeScalars.contains { $0.value >= 0x2801 && $0.value <= 0x28FF }, screen)
    XCTAssertTrue(screen.contains("▀"), screen)
    // Read-only: p is refused with a hint; ? opens the help; q quits and the shell gets the
    // terminal back.
    tmux(["send-keys", "-t", session, "p"])
    XCTAssertTrue(waitForScreen { $0.contains("read-only: control keys are off") }.contains("read-only: control keys are off"))
    tmux(["send-keys", "-t", session, "?"])
    XCTAssertTrue(waitForScreen { $0.contains("Run control") }.contains("Run control"))
    tmux(["send-keys", "-t", session, "Escape"])
    tmux(["send-keys", "-t", session, "q"])
    let end = waitForScreen { $0.contains("EXITED") }
    XCTAssertTrue(end.contains("EXITED 0"), end)
  }

  func testTooSmallTerminalShowsTheMessage() throws {
    guard hasTmux else { throw XCTSkip("tmux is not installed") }
    guard let bin = binary() else { throw XCTSkip("grpotop binary not built next to the tests") }
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("dash-tmux-\(UUID().uuidString)")
    dir = d
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    let events = SyntheticRun(iterations: 3, thumbnailSize: 8).events()
    let file = d.appendingPathComponent("events.jsonl")
    try (events.map { try JSONLines.encode($0) }.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    session = "grpotop-small-\(getpid())"
    let command = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 TERM=tmux-256color '\(bin)' replay '\(file.path)'; echo EXITED $?; sleep 60"
    XCTAssertEqual(tmux(["new-session", "-d", "-s", session, "-x", "60", "-y", "20", command]).status, 0)
    let screen = waitForScreen { $0.contains("too small") }
    XCTAssertTrue(screen.contains("terminal too small: 60×20"), screen)
    // Growing the window brings the dashboard (KEY_RESIZE).
    tmux(["resize-window", "-t", session, "-x", "100", "-y", "30"])
    XCTAssertTrue(waitForScreen { $0.contains("Hyperparameters") }.contains("Hyperparameters"))
    tmux(["send-keys", "-t", session, "q"])
    XCTAssertTrue(waitForScreen { $0.contains("EXITED") }.contains("EXITED 0"))
  }
}
