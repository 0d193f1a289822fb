import Foundation
import RunProtocol

/// A recorded run named on the command line (a run directory or its events.jsonl), read for
/// `replay` and `snapshot`: its events, with the reader's warnings printed on stderr.
struct RecordedRun {
  /// The events file that was read.
  let file: String
  /// The run's directory on this machine (where `s` writes its snapshots).
  let directory: String
  let events: [RunEvent]

  /// Reads `path`; a missing file or one without events is a one-line CommandFailure.
  init(path: String) throws {
    var isDir: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
    file = isDir.boolValue ? path + "/events.jsonl" : path
    guard exists, FileManager.default.fileExists(atPath: file) else { throw CommandFailure("\(file): no such file") }
    let read: (events: [RunEvent], warnings: [String])
    do { read = try JSONLines.readEvents(path: file) } catch { throw CommandFailure(String(describing: error)) }
    for w in read.warnings { FileHandle.standardError.write(Data(("warning: " + w + "\n").utf8)) }
    guard !read.events.isEmpty else { throw CommandFailure("\(file): no events to show") }
    events = read.events
    let parent = (file as NSString).deletingLastPathComponent
    directory = isDir.boolValue ? path : (parent.isEmpty ? "." : parent)
  }
}

/// A command's failure: ArgumentParser prints it as one "Error: …" line, without the usage
/// text a ValidationError brings, and exits with status 1.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
