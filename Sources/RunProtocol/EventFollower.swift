import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// `tail -F` for events.jsonl: another process (a PyTorch trainer with the Python client, or a
// headless `grpotop train`) appends lines while we read. Three things can happen to the file
// between two reads, and each is handled without losing or repeating an event:
//   - it grew, maybe ending in half a line: complete lines are decoded, the rest is kept until
//     its newline arrives;
//   - it was truncated in place (size below our offset): start again from byte 0;
//   - it was rotated (the path now names another inode): finish the old file, then read the
//     new one from its start.
// `LineTail` does one poll synchronously, so tests drive it step by step; `EventFollower.stream`
// polls it on a timer for the dashboard.

/// Reads the complete lines appended to a file since the last poll, surviving truncation and rotation.
public final class LineTail {
  /// One thing a poll found, in the order it happened.
  public enum Item: Sendable, Equatable {
    /// A complete line, without its newline.
    case line(String)
    /// The file was truncated or replaced: what follows is from a new start (line 1).
    case restart(String)
    /// Something about the file worth telling: missing, unreadable, an oversized line.
    case note(String)
  }

  /// Everything one poll found.
  public struct Poll: Sendable, Equatable {
    public var items: [Item] = []
    /// Just the lines.
    public var lines: [String] { items.compactMap { if case .line(let l) = $0 { return l } else { return nil } } }
  }

  public let path: String
  /// A line longer than this is dropped with a note rather than held in memory.
  public let maxLineBytes: Int
  private var handle: FileHandle?
  private var inode: UInt64 = 0
  private var offset: UInt64 = 0
  private var partial: [UInt8] = []
  private var skippingLongLine = false
  private var reportedMissing = false

  public init(path: String, maxLineBytes: Int = 16 << 20) {
    self.path = path
    self.maxLineBytes = maxLineBytes
  }

  deinit { try? handle?.close() }

  /// Reads whatever is new. Never throws: a missing or unreadable file is a note.
  public func poll() -> Poll {
    var out = Poll()
    var st = stat()
    guard stat(path, &st) == 0 else {
      if !reportedMissing {
        out.items.append(.note("\(path): waiting for the file to appear"))
        reportedMissing = true
      }
      return out
    }
    reportedMissing = false
    let currentInode = UInt64(st.st_ino)
    if handle != nil && currentInode != inode {
      // Rotated: what the old file still holds comes first.
      readAvailable(into: &out)
      if !partial.isEmpty { emitPartialAsLine(into: &out) }
      reopen(&out, note: "\(path): the file was replaced; reading the new one from its start")
    } else if handle == nil {
      reopen(&out, note: nil)
    } else if UInt64(st.st_size) < offset {
      out.items.append(.restart("\(path): the file was truncated; reading again from its start"))
      offset = 0
      partial.removeAll()
      skippingLongLine = false
      try? handle?.seek(toOffset: 0)
    }
    readAvailable(into: &out)
    return out
  }

  private func reopen(_ out: inout Poll, note: String?) {
    try? handle?.close()
    handle = FileHandle(forReadingAtPath: path)
    offset = 0
    partial.removeAll()
    skippingLongLine = false
    var st = stat()
    inode = stat(path, &st) == 0 ? UInt64(st.st_ino) : 0
    if handle == nil { out.items.append(.note("\(path): cannot be opened for reading")) } else if let note { out.items.append(.restart(note)) }
  }

  private func readAvailable(into out: inout Poll) {
    guard let handle else { return }
    while true {
      let chunk: Data
      do { chunk = try handle.read(upToCount: 1 << 16) ?? Data() } catch {
        out.items.append(.note("\(path): read failed (\(error.localizedDescription))"))
        return
      }
      if chunk.isEmpty { return }
      offset += UInt64(chunk.count)
      split(chunk, into: &out)
    }
  }

  /// Appends the complete lines of `chunk` (after what was pending) and keeps the tail.
  private func split(_ chunk: Data, into out: inout Poll) {
    var start = chunk.startIndex
    while let nl = chunk[start...].firstIndex(of: 0x0A) {
      if skippingLongLine {
        skippingLongLine = false
      } else {
        partial.append(contentsOf: chunk[start..<nl])
        emitPartialAsLine(into: &out)
      }
      start = chunk.index(after: nl)
    }
    guard !skippingLongLine else { return }
    partial.append(contentsOf: chunk[start...])
    if partial.count > maxLineBytes {
      out.items.append(.note("\(path): a line longer than \(maxLineBytes) bytes was skipped"))
      partial.removeAll()
      skippingLongLine = true
    }
  }

  private func emitPartialAsLine(into out: inout Poll) {
    out.items.append(.line(String(decoding: partial, as: UTF8.self)))
    partial.removeAll(keepingCapacity: true)
  }
}

/// Follows an events.jsonl that another process writes, as a stream of events.
public enum EventFollower {
  /// Polls `path` every `interval` seconds until the stream's consumer goes away. Lines that
  /// are not events, and what happened to the file, arrive as warning log events (source
  /// "attach"), so the dashboard's log panel says why something is missing.
  public static func stream(path: String, interval: Double = 0.1) -> AsyncStream<RunEvent> {
    AsyncStream { continuation in
      let poller = Task.detached {
        let tail = LineTail(path: path)
        var lineNumber = 0
        // The follower's own notes are not the run's events: seq -1 marks them.
        func note(_ text: String) {
          continuation.yield(RunEvent(seq: -1, time: Date().timeIntervalSince1970,
                                      payload: .log(LogLine(level: .warning, message: "attach: " + text))))
        }
        while !Task.isCancelled {
          let found = tail.poll()
          for item in found.items {
            switch item {
            case .note(let text): note(text)
            case .restart(let text):
              note(text)
              lineNumber = 0
            case .line(let line):
              lineNumber += 1
              switch JSONLines.decodeEvent(Substring(line), lineNumber: lineNumber) {
              case .value(let e): continuation.yield(e)
              case .skipped(let why): note(why)
              case .empty: break
              }
            }
          }
          if found.items.isEmpty { try? await Task.sleep(nanoseconds: UInt64(interval * 1e9)) }
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in poller.cancel() }
    }
  }
}
