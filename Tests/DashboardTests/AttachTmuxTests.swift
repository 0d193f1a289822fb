import Foundation
import RunProtocol
import TestSupport
import XCTest

/// `grpotop attach` over a run another program writes: the Python client's demo trainer
/// (clients/python/examples/demo_trainer.py) appends events.jsonl and serves the control
/// socket, grpotop follows the file in tmux, and its keys steer the Python side: `p` pauses it
/// (it logs the pause), an edit reaches it as a hyperparameter change, `q` detaches while the
/// run goes on. Skipped without python3.
final class AttachTmuxTests: RunFileTestCase {
  var root: URL { configs.deletingLastPathComponent() }

  func logLines(_ e: [RunEvent]) -> [String] {
    e.compactMap { if case .log(let l) = $0.payload { return l.message } else { return nil } }
  }

  func testAttachFollowsAPythonRunAndSteersIt() throws {
    let bin = try requireBinary()
    if Subprocess.run("/usr/bin/env", ["python3", "-c", "import sys; sys.exit(sys.version_info < (3, 9))"]).status != 0 {
      throw XCTSkip("python3 3.9+ is not available")
    }
    // Short path: a socket path holds at most 107 bytes.
    let d = URL(fileURLWithPath: "/tmp/attach-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    dir = d
    let run = d.appendingPathComponent("run")
    let eventsFile = run.appendingPathComponent("events.jsonl").path
    let socket = d.appendingPathComponent("ctl/control.sock").path
    let demo = root.appendingPathComponent("clients/python/examples/demo_trainer.py").path
    // The trainer starts first; attach waits for its socket (a state, not a delay).
    let command = "python3 '\(demo)' --events '\(eventsFile)' --control '\(socket)' --iterations 100000 --interval 0.1 --seed 3 "
      + "2> '\(d.path)/demo.err' & "
      + "until [ -S '\(socket)' ]; do sleep 0.05; done; "
      + "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 TERM=tmux-256color '\(bin)' attach --follow '\(eventsFile)' --control '\(socket)'; "
      + "echo EXITED $?; sleep 120"
    let s = TmuxSession(name: "attach")
    tmux = s
    XCTAssertTrue(s.start(command, width: 120, height: 36))

    // The panels fill from the followed file.
    let live = s.wait(seconds: 60) { $0.contains("Samples: prompt") && $0.contains("alignment ") && $0.contains("Hyperparameters") }
    for title in ["grpotop · flow-grpo", "· attach ·", "Reward", "Advantages", "KL · approx_kl · clipfrac", "Samples: prompt",
                  "Hyperparameters", "Log"] {
      XCTAssertTrue(live.contains(title), "\(title) missing:\n\(live)")
    }

    // p goes over the socket: the Python side pauses and says so in its own events.
    s.send("p")
    var e = waitEvents(run, seconds: 30) { self.logLines($0).contains("paused by dashboard") }
    XCTAssertTrue(logLines(e).contains("paused by dashboard"), "the demo did not pause: \(logLines(e).suffix(5))")
    XCTAssertTrue(s.wait { $0.contains("⏸ paused") }.contains("⏸ paused"))

    // A live edit of grpo.lr reaches it.
    try openEditor(s, key: "grpo.lr", events: e)
    XCTAssertTrue(s.wait { $0.contains("0.0003 → 0.0003▏") }.contains("0.0003 → 0.0003▏"), "the editor did not open")
    for _ in 0..<6 { s.send("BSpace") }
    XCTAssertTrue(s.wait { $0.contains("0.0003 → ▏") }.contains("0.0003 → ▏"))
    s.type("0.0006")
    XCTAssertTrue(s.wait { $0.contains("→ 0.0006▏") }.contains("→ 0.0006▏"))
    s.send("Enter")
    e = waitEvents(run, seconds: 30) { $0.contains { if case .hyperparameterChange = $0.payload { return true } else { return false } } }
    let change = e.compactMap { if case .hyperparameterChange(let c) = $0.payload { return c } else { return nil } }.first
    XCTAssertEqual(change?.key, "grpo.lr")
    XCTAssertEqual(change?.old.double, 0.0003)
    XCTAssertEqual(change?.new.double, 0.0006)
    XCTAssertEqual(change?.by, "dashboard")
    XCTAssertTrue(s.wait { $0.contains("grpo.lr: 0.0003 → 0.0006") }.contains("grpo.lr: 0.0003 → 0.0006"))

    // p again resumes it; q detaches without asking, and the Python run goes on.
    s.send("p")
    e = waitEvents(run, seconds: 30) { self.logLines($0).contains("resumed by dashboard") }
    XCTAssertTrue(logLines(e).contains("resumed by dashboard"), "the demo did not resume: \(logLines(e).suffix(5))")
    s.send("q")
    XCTAssertTrue(s.wait { $0.contains("EXITED") }.contains("EXITED 0"))
    let detachedAt = iterationsDone(events(run))
    let later = waitEvents(run, seconds: 30) { self.iterationsDone($0) > detachedAt + 2 }
    XCTAssertGreaterThan(iterationsDone(later), detachedAt + 2, "the run must go on after attach quits")
  }
}
