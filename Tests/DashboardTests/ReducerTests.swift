import RunProtocol
import XCTest
@testable import Dashboard

/// The store folds a synthetic run into the right series, markers and status.
final class ReducerTests: XCTestCase {
  func testFoldsASyntheticRun() {
    let events = SyntheticRun(iterations: 50, totalIterations: 80, thumbnailSize: 8, finished: false).events()
    var s = DashboardState()
    s.apply(events)
    XCTAssertEqual(s.eventCount, events.count)
    XCTAssertEqual(s.run?.algorithm, "adv-grpo")
    // One iteration-metrics point per iteration for r_gen and r_ref.
    XCTAssertEqual(s.series["reward/discriminator/mean"]?.count, 50)
    XCTAssertEqual(s.series["reward/reference/mean"]?.count, 50)
    XCTAssertEqual(s.series["reward/discriminator/mean"]?.xs.last, 49)
    // Two optimizer steps on every iteration without a discriminator update.
    let dUpdates = events.filter { if case .discriminatorUpdate = $0.payload { return true } else { return false } }.count
    XCTAssertGreaterThan(dUpdates, 0)
    XCTAssertEqual(s.series["kl"]?.count, 2 * (50 - dUpdates))
    XCTAssertEqual(s.discriminatorUpdates.count, dUpdates)
    // Markers: every D update, plus the lr edit at iteration 80/3 = 26.
    XCTAssertEqual(s.markers.filter { $0.kind == .discriminator }.count, dUpdates)
    XCTAssertEqual(s.markers.filter { $0.kind == .hyperparameter }.map(\.iteration), [26])
    XCTAssertEqual(s.values["lr"], .number(1.5e-4))
    XCTAssertEqual(s.changes.count, 1)
    XCTAssertEqual(s.sampleGroups.count, 50)
    XCTAssertEqual(s.advantageHistograms.count, 50)
    XCTAssertEqual(s.evaluations.map(\.iteration), [10, 20, 30, 40])
    XCTAssertEqual(s.checkpoints.map(\.iteration), [25])
    // Status: the latest iteration, running, at the synthetic pace of 1.9 s/it.
    XCTAssertEqual(s.status.iteration, 49)
    XCTAssertFalse(s.status.paused)
    XCTAssertNil(s.status.ended)
    XCTAssertEqual(s.status.secondsPerIteration ?? 0, 1.9, accuracy: 1e-6)
    XCTAssertEqual(s.etaSeconds ?? 0, 31 * 1.9, accuracy: 1e-6)
    XCTAssertEqual(s.iterationDomain, 0...80)
    // The log lists D updates and the edit.
    XCTAssertTrue(s.log.contains { $0.message.hasPrefix("D update (adaptive)") })
    XCTAssertTrue(s.log.contains { $0.message == "lr: 0.0003 → 0.00015 (by dashboard)" })
  }

  func testPauseIsNotCountedInThePace() {
    var s = DashboardState()
    func at(_ t: Double, _ p: EventPayload) { s.apply(RunEvent(seq: 0, time: t, payload: p)) }
    at(0, .phase(PhaseChange(iteration: 0, phase: .sampling)))
    at(2, .phase(PhaseChange(iteration: 1, phase: .sampling)))
    at(3, .phase(PhaseChange(iteration: 1, phase: .paused)))
    XCTAssertTrue(s.status.paused)
    at(103, .phase(PhaseChange(iteration: 1, phase: .update)))
    XCTAssertFalse(s.status.paused)
    at(104, .phase(PhaseChange(iteration: 2, phase: .sampling)))
    XCTAssertEqual(s.status.secondsPerIteration ?? 0, 2, accuracy: 1e-9)
  }

  func testRunEndAndSampleHistoryLimit() {
    var s = DashboardState()
    let g = SampleGroup(iteration: 0, prompt: "p", images: [], rewards: [], advantages: [], references: [])
    for i in 0..<(DashboardState.sampleHistoryLimit + 5) {
      var gi = g
      gi.iteration = i
      s.apply(RunEvent(seq: i, time: Double(i), payload: .samples(gi)))
    }
    XCTAssertEqual(s.sampleGroups.count, DashboardState.sampleHistoryLimit)
    XCTAssertEqual(s.sampleGroups.first?.iteration, 5)
    s.apply(RunEvent(seq: 0, time: 0, payload: .runEnd(RunEnd(iteration: 3, status: "stopped"))))
    XCTAssertEqual(s.status.ended?.status, "stopped")
    XCTAssertEqual(s.status.phase, .finished)
    XCTAssertNil(s.etaSeconds)
  }

  func testEventsSurviveTheJSONLinesRoundTrip() throws {
    let events = SyntheticRun(iterations: 3, thumbnailSize: 4, finished: true).events()
    let text = try events.map { try JSONLines.encode($0) }.joined(separator: "\n")
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dash-\(UUID().uuidString).jsonl")
    try text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let (back, warnings) = try JSONLines.readEvents(path: url.path)
    XCTAssertEqual(warnings, [])
    XCTAssertEqual(back, events)
  }
}
