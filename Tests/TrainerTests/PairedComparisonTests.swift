import Foundation
import Models
import Trainer
import XCTest

/// The paired bootstrap behind `grpotop eval --against`.
final class PairedComparisonTests: XCTestCase {
  typealias Verdict = [JudgedAttribute: Bool]

  func row(_ c: PairedComparison, _ name: String) throws -> PairedComparison.Row {
    try XCTUnwrap(c.rows.first { $0.name == name }, "no row \(name)")
  }

  /// Two prompts of two samples, scores worked out by hand.
  func testScoresMatchAHandCount() throws {
    let a: [Verdict] = [[.colour: true, .shape: true], [.colour: true, .shape: false],
                        [.colour: true, .count: true], [.colour: true, .count: true]]
    let b: [Verdict] = [[.colour: false, .shape: false], [.colour: true, .shape: false],
                        [.colour: true, .count: false], [.colour: false, .count: true]]
    let c = PairedComparison.compare(a, b, groupSize: 2, resamples: 200, seed: 3)
    XCTAssertEqual(c.prompts, 2)
    XCTAssertEqual(try row(c, "colour").a, 1.0)
    XCTAssertEqual(try row(c, "colour").b, 0.5)
    XCTAssertEqual(try row(c, "shape").a, 0.5)
    XCTAssertEqual(try row(c, "shape").b, 0.0)
    XCTAssertEqual(try row(c, "count").b, 0.5)
    // overall: mean of colour, shape, count = (1 + 0.5 + 1) / 3 and (0.5 + 0 + 0.5) / 3.
    XCTAssertEqual(try row(c, "overall").a, 2.5 / 3, accuracy: 1e-12)
    XCTAssertEqual(try row(c, "overall").b, 1.0 / 3, accuracy: 1e-12)
    // aligned: samples right on everything asked, A 3 of 4, B 0 of 4.
    XCTAssertEqual(try row(c, "aligned").a, 0.75)
    XCTAssertEqual(try row(c, "aligned").b, 0.0)
    XCTAssertNil(c.rows.first { $0.name == "background" }, "an attribute never asked gets no row")
  }

  /// Matching the judge's slots per image can ask one image "position" and another
  /// "second-position": each generator is scored on what it was asked, as `grpotop eval` does.
  func testEachGeneratorIsScoredOnItsOwnQuestions() throws {
    let a: [Verdict] = [[.colour: true, .position: true], [.colour: true, .position: true]]
    let b: [Verdict] = [[.colour: true, .secondPosition: true], [.colour: true, .position: true]]
    let c = PairedComparison.compare(a, b, groupSize: 2, resamples: 50, seed: 2)
    XCTAssertEqual(try row(c, "position").b, 1.0)
    XCTAssertEqual(try row(c, "overall").difference, 0, accuracy: 1e-12)
    XCTAssertEqual(try row(c, "aligned").b, 1.0)
  }

  func testIdenticalGeneratorsDifferByNothing() throws {
    let verdicts: [Verdict] = (0..<40).map { [.colour: $0 % 3 != 0, .shape: $0 % 5 == 0] }
    let c = PairedComparison.compare(verdicts, verdicts, groupSize: 4, resamples: 300, seed: 1)
    for r in c.rows {
      XCTAssertEqual(r.difference, 0, r.name)
      XCTAssertEqual(r.low, 0, r.name)
      XCTAssertEqual(r.high, 0, r.name)
      XCTAssertFalse(r.isClear, r.name)
    }
    // What --json writes: valid JSON with every row.
    let object = c.jsonObject
    XCTAssertTrue(JSONSerialization.isValidJSONObject(object))
    let scores = try XCTUnwrap(object["scores"] as? [String: [String: Any]])
    XCTAssertEqual(Set(scores.keys), Set(c.rows.map(\.name)))
    XCTAssertEqual(scores["overall"]?["difference"] as? Double, 0)
    XCTAssertEqual(object["prompts"] as? Int, 10)
  }

  /// A generator better on every prompt is clearly better; one better on half the prompts and
  /// worse on the other half is not; the same seed gives the same intervals.
  func testIntervalSeparatesConsistentFromMixedGains() throws {
    let P = 50, K = 4
    var better: [Verdict] = [], base: [Verdict] = [], mixed: [Verdict] = []
    for p in 0..<P {
      for k in 0..<K {
        base.append([.colour: k < 2])
        better.append([.colour: k < 3])
        mixed.append([.colour: p % 2 == 0 ? k < 4 : k < 0])
      }
    }
    let clear = PairedComparison.compare(better, base, groupSize: K, resamples: 500, seed: 9)
    XCTAssertEqual(try row(clear, "colour").difference, 0.25, accuracy: 1e-12)
    XCTAssertTrue(try row(clear, "colour").isClear)
    XCTAssertGreaterThan(try row(clear, "overall").low, 0)

    let noisy = PairedComparison.compare(mixed, base, groupSize: K, resamples: 500, seed: 9)
    XCTAssertEqual(try row(noisy, "colour").difference, 0, accuracy: 1e-12)
    XCTAssertLessThan(try row(noisy, "colour").low, 0)
    XCTAssertGreaterThan(try row(noisy, "colour").high, 0)

    let again = PairedComparison.compare(mixed, base, groupSize: K, resamples: 500, seed: 9)
    XCTAssertEqual(noisy.rows, again.rows)
  }
}

/// `GeneratorEvaluation.paired` on the shipped models: its rows are `run`'s rows, and a
/// generator compared with itself differs by nothing.
final class PairedEvaluationTests: XCTestCase {
  func testPairedRowsMatchRunAndSelfDifferenceIsZero() throws {
    let generator = try ModelLoader.generator(path: nil)
    let judge = try ModelLoader.judge(named: "judge-b")
    let backbone = try ModelLoader.backbone(path: nil)
    var settings = EvalSettings()
    settings.prompts = 4
    settings.samplesPerPrompt = 2
    let single = GeneratorEvaluation.run(generator: generator, judge: judge, backbone: backbone, settings: settings, steps: 2)
    let (rows, comparison) = GeneratorEvaluation.paired(generator: generator, baseline: generator, judge: judge, backbone: backbone,
                                                        settings: settings, steps: 2, labels: ("A", "B"), seed: 1)
    XCTAssertEqual(rows.count, single.count + 1, "both generators' rows, then the ceiling and chance rows")
    XCTAssertEqual(rows[0].scores, single[0].scores)
    XCTAssertEqual(rows[1].scores, single[0].scores)
    XCTAssertEqual(rows.suffix(2).map(\.scores), single.suffix(2).map(\.scores))
    XCTAssertNil(single[2].scores["frechet"], "the chance row has no Fréchet distance")
    XCTAssertNotNil(single[0].scores["alignment_mean"])
    // The same mean, summed in another order (the evaluator's dictionary is unordered).
    let overall = try XCTUnwrap(comparison.rows.first { $0.name == "overall" })
    XCTAssertEqual(overall.a, try XCTUnwrap(single[0].scores["alignment_mean"]), accuracy: 1e-12)
    for r in comparison.rows { XCTAssertEqual(r.difference, 0, r.name) }
  }
}
