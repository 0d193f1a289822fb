import Foundation
import RunProtocol
import TestSupport
import XCTest

/// `grpotop replay` of a run made by `grpotop train` shows what the live session showed at
/// its end: the same numbers in every panel, cell for cell.
final class ReplayParityTmuxTests: RunFileTestCase {
  func testReplayShowsTheLiveSessionsFinalScreen() throws {
    let bin = try requireBinary()
    let d = try scratchDirectory("replay-parity")
    let run = d.appendingPathComponent("run")
    let config = configs.appendingPathComponent("tiny-flow-grpo.yaml").path
    let env = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 TERM=tmux-256color OPENBLAS_NUM_THREADS=1"
    let live = TmuxSession(name: "parity-live")
    tmux = live
    XCTAssertTrue(live.start("\(env) '\(bin)' train --config '\(config)' --set iterations=4 --run-dir '\(run.path)'; sleep 120"))
    let liveScreen = live.wait(seconds: 180) { $0.contains("run completed · q quits") }
    XCTAssertTrue(liveScreen.contains("✓ completed"), "the live run did not finish:\n\(liveScreen)")
    live.send("q")
    live.close()

    let replay = TmuxSession(name: "parity-replay")
    tmux = replay
    XCTAssertTrue(replay.start("\(env) '\(bin)' replay '\(run.path)'; sleep 120"))
    let replayScreen = replay.wait(seconds: 30) { $0.contains("read-only (replay") && $0.contains("✓ completed") }

    // The status and key bars name the source and the keys on offer, and the hyperparameter
    // panel says whether it is editable; every other cell must match.
    func panels(_ screen: String) -> [String] {
      let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      return lines.dropFirst().dropLast(2).map { $0.replacingOccurrences(of: "Hyperparameters (live) ───────", with: "Hyperparameters ──────────────") }
    }
    XCTAssertGreaterThan(panels(liveScreen).count, 30)
    XCTAssertEqual(panels(liveScreen), panels(replayScreen), "replay differs from the live session:\n\(liveScreen)\n---\n\(replayScreen)")
    // And the numbers are the run's: the last iteration's mean reward heads the reward panel.
    let rewards = events(run).compactMap { e -> Double? in
      if case .iterationMetrics(let m) = e.payload { return m.values["reward/alignment/mean"] } else { return nil }
    }
    let last = try XCTUnwrap(rewards.last, "no reward in the events")
    let shown = "alignment " + String(format: "%.3g", last)
    XCTAssertTrue(liveScreen.contains(shown) && replayScreen.contains(shown), "\(shown) missing:\n\(replayScreen)")
  }
}
