import Foundation
import RunProtocol
import TestSupport
import XCTest

@testable import Dashboard

/// Base of the tests that watch a run through its events.jsonl and its screen: the
/// checkout's configs, bounded polls of the file, and readings of the status bar.
class RunFileTestCase: WholeProgramTestCase {
  /// The checkout's Configs/ (this file is Tests/DashboardTests/…).
  var configs: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Configs")
  }

  /// The run's events so far (a partly written last line is skipped by the reader).
  func events(_ run: URL) -> [RunEvent] {
    (try? JSONLines.readEvents(path: run.appendingPathComponent("events.jsonl").path))?.events ?? []
  }

  /// Polls events.jsonl until `predicate` holds (bounded); returns the events.
  @discardableResult
  func waitEvents(_ run: URL, seconds: Double = 90, until predicate: ([RunEvent]) -> Bool) -> [RunEvent] {
    let deadline = Date().addingTimeInterval(seconds)
    var e: [RunEvent] = []
    repeat {
      e = events(run)
      if predicate(e) { return e }
      usleep(100_000)
    } while Date() < deadline
    return e
  }

  func iterationsDone(_ e: [RunEvent]) -> Int {
    e.filter { if case .iterationMetrics = $0.payload { return true } else { return false } }.count
  }

  func pausedPhases(_ e: [RunEvent]) -> Int {
    e.filter { if case .phase(let p) = $0.payload { return p.phase == .paused } else { return false } }.count
  }

  /// The iteration shown in the status bar ("iter 12/200").
  func shownIteration(_ screen: String) -> Int? {
    guard let r = screen.range(of: #"iter (\d+)/"#, options: .regularExpression) else { return nil }
    return Int(screen[r].dropFirst(5).dropLast())
  }

  /// Focuses the hyperparameters panel, selects `key` (its row in the run's schema, from the
  /// first event, run_start) and presses Enter to open the editor.
  func openEditor(_ s: TmuxSession, key: String, events e: [RunEvent]) throws {
    guard case .runStart(let start)? = e.first?.payload, let row = start.hyperparameters.firstIndex(where: { $0.key == key }) else {
      throw MissingEvent(description: "run_start with a \(key) hyperparameter expected first")
    }
    let order = KeyHandler.visible(ViewState(colorMode: .xterm256, themes: [ThemeLibrary.automatic(for: .xterm256)]))
    for _ in 0..<(try XCTUnwrap(order.firstIndex(of: .hyperparameters))) { s.send("Tab") }
    for _ in 0..<row { s.send("Down") }
    s.send("Enter")
  }
}

/// A test's expectation about the run's events was not met (thrown errors fail the test).
struct MissingEvent: Error, CustomStringConvertible {
  let description: String
}
