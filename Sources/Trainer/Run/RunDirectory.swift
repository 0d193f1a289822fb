import Foundation
import RunProtocol

/// A run's folder: runs/<yyyymmdd-hhmmss>-<algorithm>/ with config.yaml, events.jsonl,
/// checkpoints/, samples/ and snapshots/.
public final class RunDirectory: @unchecked Sendable {
  public let path: String
  let events: FileHandle
  private let lock = NSLock()

  /// Creates a fresh run directory under `root` (or uses `explicit`), writing the config.
  public static func create(root: String = "runs", explicit: String?, algorithm: String, configYAML: String) throws -> RunDirectory {
    let path: String
    if let explicit {
      path = explicit
    } else {
      let f = DateFormatter()
      f.dateFormat = "yyyyMMdd-HHmmss"
      f.timeZone = TimeZone(identifier: "UTC")
      path = "\(root)/\(f.string(from: Date()))-\(algorithm)"
    }
    for sub in ["checkpoints", "samples", "snapshots"] {
      try FileManager.default.createDirectory(atPath: "\(path)/\(sub)", withIntermediateDirectories: true)
    }
    try AtomicFile.write(Data(configYAML.utf8), to: "\(path)/config.yaml")
    return try RunDirectory(path: path)
  }

  /// Opens an existing run directory (for --resume): events are appended.
  public init(path: String) throws {
    self.path = path
    let file = "\(path)/events.jsonl"
    if !FileManager.default.fileExists(atPath: file) {
      guard FileManager.default.createFile(atPath: file, contents: nil) else {
        throw ConfigError("\(file): cannot create the event log")
      }
    }
    guard let handle = FileHandle(forWritingAtPath: file) else { throw ConfigError("\(file): cannot open for appending") }
    handle.seekToEndOfFile()
    events = handle
  }

  deinit { try? events.close() }

  public var configPath: String { "\(path)/config.yaml" }
  public var checkpointsPath: String { "\(path)/checkpoints" }
  public var snapshotsPath: String { "\(path)/snapshots" }
  public var samplesPath: String { "\(path)/samples" }

  /// Appends one event as a line; each line is written whole, so a reader following the file
  /// only ever sees a partial line at the very end while it is being written.
  public func append(_ event: RunEvent) {
    guard let line = try? JSONLines.encode(event) else { return }
    lock.lock()
    defer { lock.unlock() }
    events.write(Data((line + "\n").utf8))
  }
}
