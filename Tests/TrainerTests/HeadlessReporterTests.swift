import Foundation
import RunProtocol
import XCTest
@testable import Trainer

/// The headless progress line names each reward's mean, except a win rate's (always 0.5),
/// which it replaces by the group spread.
final class HeadlessReporterTests: XCTestCase {
  func line(_ values: [String: Double]) -> String? {
    var reporter = HeadlessReporter()
    let start = RunStart(runID: "t", algorithm: "pref-grpo", config: .object([:]), hyperparameters: [], totalIterations: 10,
                         groupSize: 8, promptsPerIteration: 2, rewards: ["winrate"], runDirectory: "runs/t")
    _ = reporter.line(for: RunEvent(seq: 0, time: 0, payload: .runStart(start)), now: Date(timeIntervalSince1970: 0))
    return reporter.line(for: RunEvent(seq: 1, time: 1, payload: .iterationMetrics(Metrics(iteration: 0, values: values))),
                         now: Date(timeIntervalSince1970: 4))
  }

  func testWinRateShowsItsSpread() throws {
    let text = try XCTUnwrap(line(["reward/winrate/mean": 0.5, "reward/winrate/std": 0.213, "reward/total/mean": 0.5]))
    XCTAssertTrue(text.hasPrefix("iter 1/10 · winrate spread 0.213 · kl"), text)
    XCTAssertTrue(text.contains("4.0 s/it · ETA 36s"), text)
  }

  func testOtherRewardsShowTheirMean() throws {
    let text = try XCTUnwrap(line(["reward/alignment/mean": 0.281, "reward/alignment/std": 0.2]))
    XCTAssertTrue(text.hasPrefix("iter 1/10 · alignment 0.281 · kl"), text)
  }
}
