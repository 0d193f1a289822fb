import Foundation
import Models
import TestSupport
import XCTest

/// `grpotop eval --judges` prints each shipped judge's held-out table; `--judge F` prints that
/// file's alone, a missing file is an error that names it, and sampling flags are refused.
final class JudgeEvalCommandTests: WholeProgramTestCase {
  func testJudgesTablePrintsBothJudges() throws {
    let bin = try requireBinary(tmux: false)
    let json = try scratchDirectory("judges").appendingPathComponent("judges.json").path
    let r = Subprocess.run(bin, ["eval", "--judges", "--prompts", "40", "--json", json])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.hasPrefix("seed 7 "), r.stdout)
    for name in ["judge-a", "judge-b"] {
      XCTAssertTrue(r.stdout.contains("\(name): held-out accuracy on 40 prompts"), r.stdout)
    }
    // Clean colour is the easiest head (100 % on the pretraining reports); a judge that loaded
    // wrong or read the wrong images falls far below.
    let colour = r.stdout.split(separator: "\n").filter { $0.hasPrefix("colour ") }
    XCTAssertEqual(colour.count, 2, r.stdout)
    for line in colour {
      let clean = line.split(separator: " ").dropFirst().first.map { Double($0.dropLast()) ?? 0 } ?? 0
      XCTAssertGreaterThanOrEqual(clean, 95, String(line))
    }
    XCTAssertEqual(r.stdout.components(separatedBy: "worst clean attribute").count, 3, r.stdout)
    // --json keeps the same tables, keyed by judge.
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
    XCTAssertEqual(object.map { Set($0.keys) }, ["judge-a", "judge-b"])
    let clean = (object?["judge-b"] as? [String: Any])?["clean"] as? [String: Any]
    XCTAssertEqual(clean?["images"] as? Int, 40)

    let path = try XCTUnwrap(ShippedWeights.path("judge-a"))
    let one = Subprocess.run(bin, ["eval", "--judges", "--prompts", "4", "--judge", path])
    XCTAssertEqual(one.status, 0, one.stderr)
    XCTAssertTrue(one.stdout.contains("\(path): held-out accuracy on 4 prompts"), one.stdout)
    XCTAssertEqual(one.stdout.components(separatedBy: "worst clean attribute").count, 2, one.stdout)

    let missing = Subprocess.run(bin, ["eval", "--judges", "--prompts", "4", "--judge", "/nonexistent/judge.safetensors"])
    XCTAssertNotEqual(missing.status, 0)
    XCTAssertTrue(missing.stderr.contains("/nonexistent/judge.safetensors"), missing.stderr)

    // The judges sample nothing, so the generator's sampling flags are refused, not ignored.
    for flag in [["--samples", "2"], ["--steps", "5"], ["--guidance", "3"]] {
      let refused = Subprocess.run(bin, ["eval", "--judges", "--prompts", "4"] + flag)
      XCTAssertNotEqual(refused.status, 0, flag[0])
      XCTAssertTrue(refused.stderr.contains(flag[0]), refused.stderr)
    }
  }
}
