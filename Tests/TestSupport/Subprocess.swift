import Foundation

/// Runs a program to completion for whole-program tests, with its output captured in files.
/// Built on `TmuxSession.shell` (posix_spawn + waitpid) rather than Foundation's Process, whose
/// exit notification can hang when a child leaves inherited descriptors open.
public enum Subprocess {
  /// What a finished program left: its exit status and its standard output and error.
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// Runs `executable` with `arguments` (no shell parsing: each word is quoted) and waits.
  public static func run(_ executable: String, _ arguments: [String]) -> Result {
    let quote = { (s: String) in "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let tmp = FileManager.default.temporaryDirectory
    let tag = UUID().uuidString
    let out = tmp.appendingPathComponent("subprocess-\(tag).out").path
    let err = tmp.appendingPathComponent("subprocess-\(tag).err").path
    defer {
      try? FileManager.default.removeItem(atPath: out)
      try? FileManager.default.removeItem(atPath: err)
    }
    let line = ([executable] + arguments).map(quote).joined(separator: " ") + " >\(quote(out)) 2>\(quote(err)) </dev/null"
    let status = TmuxSession.shell(line)
    let read = { (p: String) in (try? String(contentsOfFile: p, encoding: .utf8)) ?? "" }
    return Result(status: status, stdout: read(out), stderr: read(err))
  }
}
