import Foundation
import RunProtocol
import XCTest

/// Following a file another process writes: partial lines, truncation, rotation.
final class LineTailTests: XCTestCase {
  var dir: URL!
  var path: String { dir.appendingPathComponent("events.jsonl").path }

  override func setUpWithError() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  override func tearDown() { try? FileManager.default.removeItem(at: dir) }

  func append(_ text: String, to file: String? = nil) throws {
    let p = file ?? path
    if !FileManager.default.fileExists(atPath: p) { FileManager.default.createFile(atPath: p, contents: nil) }
    let h = try XCTUnwrap(FileHandle(forWritingAtPath: p))
    try h.seekToEnd()
    h.write(Data(text.utf8))
    try h.close()
  }

  func testWaitsForTheFileThenReadsCompleteLinesOnly() throws {
    let tail = LineTail(path: path)
    XCTAssertEqual(tail.poll().items, [.note("\(path): waiting for the file to appear")])
    XCTAssertEqual(tail.poll().items, [], "the missing file is reported once")
    try append("one\ntw")
    XCTAssertEqual(tail.poll().lines, ["one"], "half a line waits for its newline")
    XCTAssertEqual(tail.poll().lines, [])
    try append("o\nthree\n")
    XCTAssertEqual(tail.poll().lines, ["two", "three"])
  }

  func testTruncationStartsAgainFromTheTop() throws {
    try append("a\nb\nc\n")
    let tail = LineTail(path: path)
    XCTAssertEqual(tail.poll().lines, ["a", "b", "c"])
    try "x\n".write(toFile: path, atomically: false, encoding: .utf8)  // truncates in place, same inode
    let after = tail.poll()
    XCTAssertEqual(after.items.first, .restart("\(path): the file was truncated; reading again from its start"))
    XCTAssertEqual(after.lines, ["x"])
  }

  /// logrotate-style: the old file is renamed away (and finished), a new one takes its name.
  func testRotationFinishesTheOldFileThenReadsTheNewOne() throws {
    try append("old-1\n")
    let tail = LineTail(path: path)
    XCTAssertEqual(tail.poll().lines, ["old-1"])
    try append("old-2\nold-partial")
    try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
    try append("new-1\n")
    let after = tail.poll()
    XCTAssertEqual(after.lines, ["old-2", "old-partial", "new-1"], "nothing of the old file is lost")
    XCTAssertTrue(after.items.contains(.restart("\(path): the file was replaced; reading the new one from its start")))
    XCTAssertEqual(after.items.last, .line("new-1"), "the restart comes between the two files")
  }

  func testAnOversizedLineIsSkippedAndTheNextOneRead() throws {
    let tail = LineTail(path: path, maxLineBytes: 100)
    try append(String(repeating: "x", count: 250))
    XCTAssertEqual(tail.poll().items, [.note("\(path): a line longer than 100 bytes was skipped")])
    try append(String(repeating: "x", count: 50) + "\nnext\n")
    XCTAssertEqual(tail.poll().lines, ["next"])
  }

  /// The stream decodes events and turns bad lines into warning log events, never a crash.
  func testFollowerStreamsEventsAndWarnsAboutBadLines() async throws {
    let good = try JSONLines.encode(RunEvent(seq: 0, time: 1, payload: .log(LogLine(level: .info, message: "hello"))))
    try append(good + "\n{\"v\":1,\"type\":\"mystery\"}\n")
    var seen: [RunEvent] = []
    for await e in EventFollower.stream(path: path, interval: 0.01) {
      seen.append(e)
      if seen.count == 2 { break }
    }
    XCTAssertEqual(seen.first?.payload, .log(LogLine(level: .info, message: "hello")))
    guard case .log(let warning)? = seen.last?.payload else { return XCTFail("expected a warning, got \(seen)") }
    XCTAssertEqual(warning.level, .warning)
    XCTAssertTrue(warning.message.contains("unknown event type 'mystery'"), warning.message)
  }
}
