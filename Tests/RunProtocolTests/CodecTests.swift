import Foundation
import RunProtocol
import XCTest

final class CodecTests: XCTestCase {
  static let spec = HyperparameterSpec(key: "lr", type: .float, value: .number(3e-4), min: 0, max: 1, live: true, nudge: "mul2", help: "learning rate")

  static let everyPayload: [EventPayload] = [
    .runStart(RunStart(runID: "r1", algorithm: "adv-grpo", config: .object(["grpo": .object(["group_size": .number(16)])]),
                       hyperparameters: [spec], totalIterations: 100, groupSize: 16, promptsPerIteration: 2,
                       rewards: ["discriminator"], runDirectory: "runs/x", startIteration: 4)),
    .phase(PhaseChange(iteration: 3, phase: .sampling)),
    .phase(PhaseChange(iteration: 9, phase: .sft, stage: "sft")),
    .stepMetrics(Metrics(iteration: 3, step: 6, values: ["policy_loss": -0.01, "clipfrac": 0.25])),
    .iterationMetrics(Metrics(iteration: 3, values: ["reward/discriminator/mean": 0.4, "zero_std_ratio": 0])),
    .histogram(Histogram(iteration: 3, name: "advantage", values: [-5, -1, 0, 0.5, 4.9, 7], low: -5, high: 5, bins: 10)),
    .samples(SampleGroup(iteration: 3, prompt: "red circle", images: [Thumbnail(width: 2, height: 1, rgb: [1, 2, 3, 250, 251, 252])],
                         rewards: [0.5], advantages: [-1.25], references: [])),
    .discriminatorUpdate(DiscriminatorUpdate(iteration: 5, reason: "adaptive", rewardGenerated: 0.7, rewardReference: 0.6,
                                             lossBefore: 0.9, lossAfter: 0.4, accuracyBefore: 0.5, accuracyAfter: 0.9, steps: 10)),
    .evaluation(Metrics(iteration: 10, values: ["alignment": 0.55, "frechet": 12.5])),
    .hyperparameterChange(HyperparameterChange(iteration: 7, key: "lr", old: .number(3e-4), new: .number(1e-4), by: "dashboard")),
    .checkpoint(CheckpointSaved(iteration: 8, path: "runs/x/checkpoints/step-000008.safetensors", reason: "periodic")),
    .log(LogLine(level: .warning, message: "héllo → ✓")),
    .runEnd(RunEnd(iteration: 100, status: "completed")),
  ]

  func testEveryEventRoundTrips() throws {
    for (i, p) in Self.everyPayload.enumerated() {
      let e = RunEvent(seq: i, time: 1_763_900_000.25, payload: p)
      let line = try JSONLines.encode(e)
      XCTAssertFalse(line.contains("\n"))
      guard case .value(let back) = JSONLines.decodeEvent(Substring(line), lineNumber: 1) else {
        return XCTFail("\(p.typeName) did not decode: \(line)")
      }
      XCTAssertEqual(back, e, p.typeName)
    }
  }

  func testHistogramBinning() {
    let h = Histogram(iteration: 0, name: "a", values: [-5, -1, 0, 0.5, 4.9, 7], low: -5, high: 5, bins: 10)
    XCTAssertEqual(h.counts, [1, 0, 0, 0, 1, 2, 0, 0, 0, 2])
  }

  func testUnknownTypeAndNewerVersionAreSkippedWithAWarning() {
    let unknown = #"{"v":1,"seq":0,"time":0,"type":"telemetry","data":{}}"#
    guard case .skipped(let why) = JSONLines.decodeEvent(Substring(unknown), lineNumber: 4) else { return XCTFail() }
    XCTAssertTrue(why.contains("line 4") && why.contains("telemetry"), why)
    let newer = #"{"v":99,"seq":0,"time":0,"type":"log","data":{"level":"info","message":"x"}}"#
    guard case .skipped(let why2) = JSONLines.decodeEvent(Substring(newer), lineNumber: 5) else { return XCTFail() }
    XCTAssertTrue(why2.contains("v99"), why2)
    guard case .skipped = JSONLines.decodeEvent("{not json", lineNumber: 6) else { return XCTFail() }
    guard case .empty = JSONLines.decodeEvent("  ", lineNumber: 7) else { return XCTFail() }
  }

  func testReadingAFileKeepsGoodLinesAndWarnsAboutBadOnes() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ev-\(UUID().uuidString).jsonl").path
    let good = try JSONLines.encode(RunEvent(seq: 0, time: 1, payload: .log(LogLine(level: .info, message: "a"))))
    let text = [good, #"{"v":1,"type":"nope","data":{}}"#, good, #"{"v":1,"seq":2,"ti"#].joined(separator: "\n")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let (events, warnings) = try JSONLines.readEvents(path: path)
    XCTAssertEqual(events.count, 2)
    XCTAssertEqual(warnings.count, 2)
    XCTAssertTrue(warnings[0].contains(path) && warnings[0].contains("line 2"), warnings[0])
  }

  func testCommandsRoundTrip() throws {
    let actions: [CommandAction] = [.pause, .resume, .step, .set(key: "lr", value: .number(1e-4)),
                                    .set(key: "ema", value: .bool(true)), .saveCheckpoint, .snapshot, .stop]
    for (i, a) in actions.enumerated() {
      let c = RunCommand(id: i, by: "dashboard", action: a)
      guard case .value(let back) = JSONLines.decodeCommand(Substring(try JSONLines.encode(c))) else { return XCTFail("\(a)") }
      XCTAssertEqual(back, c)
    }
    // What a Python client writes by hand.
    guard case .value(let py) = JSONLines.decodeCommand(#"{"action": "set", "key": "kl.beta", "value": 0.02}"#) else { return XCTFail() }
    XCTAssertEqual(py.action, .set(key: "kl.beta", value: .number(0.02)))
    guard case .skipped(let why) = JSONLines.decodeCommand(#"{"action":"explode"}"#) else { return XCTFail() }
    XCTAssertTrue(why.contains("explode"), why)
  }

  func testHyperparameterValidation() {
    let s = Self.spec
    XCTAssertNil(s.refusal(for: .number(1e-3)))
    XCTAssertEqual(s.refusal(for: .number(-1)), "lr must be ≥ 0, got -1")
    XCTAssertNotNil(s.refusal(for: .string("fast")))
    XCTAssertEqual(s.parse("1e-4"), .number(1e-4))
    XCTAssertNil(s.parse("abc"))
    var frozen = s
    frozen.live = false
    XCTAssertNotNil(frozen.refusal(for: .number(1e-3)))
    let steps = HyperparameterSpec(key: "steps", type: .int, value: .number(2), min: 1, live: true, help: "")
    XCTAssertEqual(steps.refusal(for: .number(1.5)), "steps needs a whole number")
  }
}
