import Foundation
import Imaging
import RunProtocol
import TestSupport
import XCTest
@testable import Dashboard

/// `grpotop snapshot` as a user runs it: the real binary on a tiny recorded run (a seeded
/// synthetic one), its one-line report, the PNG's size, and one-line errors for bad input.
/// Skipped when the binary is not built next to the tests or the font is not installed.
final class SnapshotCommandTests: WholeProgramTestCase {
  /// The binary, and a scratch directory holding a recorded run in run/events.jsonl.
  func setUpRun() throws -> (bin: String, dir: URL) {
    let bin = try requireBinary(tmux: false)
    guard FileManager.default.fileExists(atPath: BitmapFont.defaultPath) else {
      throw XCTSkip("\(BitmapFont.defaultPath) is missing (apt-get install unifont)")
    }
    let d = try scratchDirectory("snapshot-cli")
    let run = d.appendingPathComponent("run")
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    let events = SyntheticRun(iterations: 12, totalIterations: 12, thumbnailSize: 16, seed: 7, finished: true).events()
    try (events.map { try JSONLines.encode($0) }.joined(separator: "\n") + "\n")
      .write(to: run.appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
    return (bin, d)
  }

  func testSnapshotWritesAPNGOfTheRequestedSize() throws {
    let (bin, d) = try setUpRun()
    let out = d.appendingPathComponent("dash.png").path
    let r = Subprocess.run(bin, ["snapshot", d.appendingPathComponent("run").path, "--out", out, "--size", "100x30"])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "\(out): 800×480 px, 100×30 cells\n")
    let image = try PNG.read(path: out)
    XCTAssertEqual(image.width, 800)
    XCTAssertEqual(image.height, 480)
    // The default size, from the events.jsonl path itself, with another theme.
    let light = d.appendingPathComponent("light.png").path
    let r2 = Subprocess.run(bin, ["snapshot", d.appendingPathComponent("run/events.jsonl").path, "--out", light, "--theme", "light"])
    XCTAssertEqual(r2.status, 0, r2.stderr)
    XCTAssertEqual(try PNG.read(path: light).width, 1280)
    XCTAssertEqual(try PNG.read(path: light).height, 768)
  }

  func testBadInputIsOneErrorLine() throws {
    let (bin, d) = try setUpRun()
    let run = d.appendingPathComponent("run").path
    let out = d.appendingPathComponent("x.png").path
    let cases: [([String], String)] = [
      (["snapshot", d.appendingPathComponent("missing").path, "--out", out], "no such file"),
      (["snapshot", run, "--out", out, "--size", "40x10"], "--size must be"),
      (["snapshot", run, "--out", out, "--font", d.appendingPathComponent("none.hex").path], "package unifont"),
      (["snapshot", run, "--out", out, "--theme", "no-such-theme"], "unknown theme"),
      (["snapshot", run, "--out", d.appendingPathComponent("no/dir/x.png").path], "x.png"),
    ]
    for (args, expected) in cases {
      let r = Subprocess.run(bin, args)
      XCTAssertNotEqual(r.status, 0, args.joined(separator: " "))
      let lines = r.stderr.split(separator: "\n")
      XCTAssertEqual(lines.count, 1, r.stderr)
      XCTAssertTrue(r.stderr.contains(expected), "\(args): \(r.stderr)")
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: out))
  }
}
