import RunProtocol
import XCTest
@testable import Dashboard

/// The reward panel shows what moves: a Pref-GRPO run's win rates average 0.5 in every group,
/// so it plots their spread rather than a flat mean.
final class RewardPanelTests: XCTestCase {
  func state(algorithm: String, rewards: [String], values: (Int) -> [String: Double]) -> DashboardState {
    var events = [RunEvent(seq: 0, time: 0, payload: .runStart(RunStart(
      runID: "t", algorithm: algorithm, config: .object([:]), hyperparameters: SyntheticRun.schema, totalIterations: 20,
      groupSize: 8, promptsPerIteration: 2, rewards: rewards, runDirectory: "runs/t")))]
    for i in 0..<20 {
      events.append(RunEvent(seq: i + 1, time: Double(i + 1), payload: .iterationMetrics(Metrics(iteration: i, values: values(i)))))
    }
    var s = DashboardState()
    s.apply(events)
    return s
  }

  func rewardPanelText(_ s: DashboardState) -> String {
    let r = Rect(x: 0, y: 0, width: 70, height: 12)
    var g = CellGrid(width: 70, height: 12)
    ChartPanels.reward(&g, r, PanelContext(state: s, view: ViewState(colorMode: .truecolor)))
    return g.text
  }

  func testWinRatePlotsItsSpreadAndDropsTheFlatTotal() {
    let s = state(algorithm: "pref-grpo", rewards: ["winrate"]) { i in
      ["reward/winrate/mean": 0.5, "reward/winrate/std": 0.2 + 0.01 * Double(i), "reward/total/mean": 0.5, "reward/total/std": 0.2]
    }
    let text = rewardPanelText(s)
    XCTAssertTrue(text.contains("winrate spread (std)"), text)
    XCTAssertTrue(text.contains("last 0.39"), "the std series, not the 0.5 mean:\n\(text)")
    XCTAssertFalse(text.contains("total"), text)
  }

  func testOtherRewardsKeepTheirMeans() {
    let s = state(algorithm: "flow-grpo", rewards: ["alignment", "quality"]) { i in
      ["reward/alignment/mean": 0.1 + 0.01 * Double(i), "reward/quality/mean": 0.7, "reward/total/mean": 0.0]
    }
    let text = rewardPanelText(s)
    XCTAssertTrue(text.contains("alignment"), text)
    XCTAssertTrue(text.contains("quality"), text)
    XCTAssertTrue(text.contains("total"), text)
    XCTAssertFalse(text.contains("spread"), text)
  }

  /// Adv-GRPO keeps r_gen against r_ref and adds the mean of a reward mixed in beside D.
  func testAdversarialRunShowsTheRewardMixedInBesideD() {
    let s = state(algorithm: "adv-grpo", rewards: ["discriminator", "alignment"]) { i in
      ["r_gen": -1 - 0.05 * Double(i), "r_ref": 1, "reward/discriminator/mean": -1 - 0.05 * Double(i),
       "reward/alignment/mean": 0.55 + 0.01 * Double(i), "reward/total/mean": 0]
    }
    let text = rewardPanelText(s)
    for label in ["r_gen", "r_ref", "alignment  last 0.74"] { XCTAssertTrue(text.contains(label), "\(label):\n\(text)") }
    XCTAssertFalse(text.contains("discriminator"), text)
    XCTAssertFalse(text.contains("total"), text)
  }

  func testAxisLabelsTakeTheDigitsANarrowRangeNeeds() {
    XCTAssertEqual(LineChart.distinctLabels([0.3072, 0.305, 0.3028], false), ["0.307", "0.305", "0.303"])
    XCTAssertEqual(LineChart.distinctLabels([1, 0.5, 0], false), ["1", "0.5", "0"])
    XCTAssertEqual(LineChart.distinctLabels([-3, -5, -7], true), ["0.001", "1e-5", "1e-7"])
  }

  /// A Style-GRPO run has no discriminator: that panel shows its SFT stage and where GRPO
  /// took over; an Adv-GRPO run keeps the discriminator.
  func testStyleRunShowsItsSFTStageInTheDiscriminatorSlot() {
    let s = state(algorithm: "style-grpo", rewards: ["stylescore"]) { i in
      i < 12 ? ["sft_loss": 0.6 - 0.02 * Double(i)] : ["reward/stylescore/mean": -10 + Double(i) * 0.1, "reward/total/mean": 0]
    }
    let ctx = PanelContext(state: s, view: ViewState(colorMode: .truecolor))
    XCTAssertTrue(Panels.title(.discriminator, ctx).hasPrefix("Style-GRPO stage 1: SFT"))
    var g = CellGrid(width: 70, height: 12)
    ChartPanels.discriminator(&g, Rect(x: 0, y: 0, width: 70, height: 12), ctx)
    XCTAssertTrue(g.text.contains("SFT loss"), g.text)
    XCTAssertTrue(g.text.contains("perfect pairs: iterations 0–11; GRPO from 12"), g.text)
    let adv = state(algorithm: "adv-grpo", rewards: ["discriminator"]) { _ in ["r_gen": 0.1, "r_ref": 0.2] }
    XCTAssertTrue(Panels.title(.discriminator, PanelContext(state: adv, view: ViewState(colorMode: .truecolor))).hasPrefix("Discriminator"))
  }
}
