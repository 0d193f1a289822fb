import Foundation
import RunProtocol
import TestSupport
import XCTest

/// The Python client (clients/python/grpotop_events.py) writes events that this build reads:
/// its demo trainer runs five iterations without pauses and the file decodes with no warning.
/// Skipped when python3 (3.9 or newer) is not on the PATH.
final class PythonClientTests: WholeProgramTestCase {
  /// The repository root, three levels above this file.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  func testDemoTrainerEventsDecode() throws {
    let version = "import sys; sys.exit(sys.version_info < (3, 9))"
    let probe = Subprocess.run("/usr/bin/env", ["python3", "-c", version])
    if probe.status != 0 { throw XCTSkip("python3 3.9+ is not available") }
    let d = try scratchDirectory("python-client")
    let events = d.appendingPathComponent("events.jsonl").path
    let control = d.appendingPathComponent("ctl/control.sock").path
    let demo = Self.root.appendingPathComponent("clients/python/examples/demo_trainer.py").path
    let r = Subprocess.run("/usr/bin/env", ["python3", demo, "--events", events, "--control", control,
                                            "--iterations", "5", "--interval", "0", "--seed", "1"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "")
    XCTAssertEqual(r.stderr, "", "no state changes without commands")
    XCTAssertFalse(FileManager.default.fileExists(atPath: control), "the socket is removed at the end")

    let (read, warnings) = try JSONLines.readEvents(path: events)
    XCTAssertEqual(warnings, [])
    XCTAssertEqual(read.map(\.seq), Array(0..<read.count))

    guard case .runStart(let start)? = read.first?.payload else {
      return XCTFail("the first event is not run_start")
    }
    XCTAssertEqual(start.algorithm, "flow-grpo")
    XCTAssertEqual(start.totalIterations, 5)
    XCTAssertEqual(start.rewards, ["alignment"])
    let lr = try XCTUnwrap(start.hyperparameters.first { $0.key == "grpo.lr" })
    XCTAssertEqual(lr.type, .float)
    XCTAssertTrue(lr.live)
    XCTAssertEqual(lr.value, .number(3e-4))
    XCTAssertNil(lr.refusal(for: .number(6e-4)))
    XCTAssertNotNil(start.hyperparameters.first { $0.key == "grpo.group_size" && !$0.live })

    var iterations: [Int] = [], stepNames = Set<String>(), thumbnails = 0
    for event in read {
      switch event.payload {
      case .iterationMetrics(let m):
        iterations.append(m.iteration)
        XCTAssertNotNil(m.values["reward/alignment/mean"])
      case .stepMetrics(let m):
        stepNames.formUnion(m.values.keys)
      case .samples(let g):
        XCTAssertEqual(g.images.count, g.rewards.count)
        XCTAssertEqual(g.images.count, g.advantages.count)
        for t in g.images + g.references {
          XCTAssertEqual(t.width, 16)
          XCTAssertEqual(t.rgb.count, t.width * t.height * 3)
          thumbnails += 1
        }
      default:
        break
      }
    }
    XCTAssertEqual(iterations, Array(0..<5))
    XCTAssertTrue(stepNames.isSuperset(of: ["policy_loss", "kl", "approx_kl", "clipfrac"]),
                  "\(stepNames)")
    XCTAssertGreaterThan(thumbnails, 0)
    guard case .runEnd(let end)? = read.last?.payload else { return XCTFail("the last event is not run_end") }
    XCTAssertEqual(end.status, "completed")
    XCTAssertEqual(end.iteration, 5)
  }
}
