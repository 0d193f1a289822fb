import Foundation
import Imaging
import RunProtocol
import TestSupport
import XCTest
@testable import Dashboard

/// The `s` key in a real terminal: `grpotop replay` in a detached tmux window (private tmux
/// server), `s` pressed, and the PNG (with its .ans and .txt) found in the replayed run's
/// snapshots/ at the window's size. Bounded polls only; skipped without tmux, the binary or
/// the font.
final class SnapshotKeyTmuxTests: WholeProgramTestCase {
  func testSnapshotKeyWritesThePNGIntoTheRunDirectory() throws {
    let bin = try requireBinary()
    guard FileManager.default.fileExists(atPath: BitmapFont.defaultPath) else {
      throw XCTSkip("\(BitmapFont.defaultPath) is missing (apt-get install unifont)")
    }
    let d = try scratchDirectory("snapkey")
    let events = SyntheticRun(iterations: 10, totalIterations: 10, thumbnailSize: 16, seed: 3, finished: true).events()
    try (events.map { try JSONLines.encode($0) }.joined(separator: "\n") + "\n")
      .write(to: d.appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
    let session = TmuxSession(name: "snapkey")
    tmux = session
    let command = "env -u NO_COLOR -u COLORTERM LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color '\(bin)' replay '\(d.path)'; echo EXITED $?; sleep 60"
    XCTAssertTrue(session.start(command, width: 100, height: 30))
    XCTAssertTrue(session.wait { $0.contains("✓ completed") }.contains("✓ completed"))
    session.send("s")
    // The note comes after the files are written (the path may be cut to the bar's width).
    let screen = session.wait { $0.contains("snapshot: ") }
    XCTAssertTrue(screen.contains("snapshot: "), screen)
    XCTAssertFalse(screen.contains("no PNG"), screen)
    let snapshots = d.appendingPathComponent("snapshots")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []
    let png = try XCTUnwrap(files.first { $0.hasSuffix(".png") }, "\(files)")
    XCTAssertTrue(png.hasPrefix("snapshot-"), png)
    let base = String(png.dropLast(4))
    XCTAssertTrue(files.contains(base + ".ans") && files.contains(base + ".txt"), "\(files)")
    let image = try PNG.read(path: snapshots.appendingPathComponent(png).path)
    XCTAssertEqual(image.width, 100 * 8)
    XCTAssertEqual(image.height, 30 * 16)
    // A second press keeps the first picture.
    session.send("s")
    let deadline = Date().addingTimeInterval(20)
    var pngs = 1
    while pngs < 2 && Date() < deadline {
      usleep(100_000)
      pngs = ((try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []).filter { $0.hasSuffix(".png") }.count
    }
    XCTAssertEqual(pngs, 2)
    session.send("q")
    XCTAssertTrue(session.wait { $0.contains("EXITED") }.contains("EXITED 0"))
  }
}
