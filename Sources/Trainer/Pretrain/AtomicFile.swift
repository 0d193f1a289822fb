import Foundation

/// Writes files so that a crash never leaves a half-written one: a temporary name in the
/// same directory, then rename(2), which replaces the target atomically.
public enum AtomicFile {
  /// Writes `data` to `path`, creating parent directories.
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    try data.write(to: tmp)
    if rename(tmp.path, url.path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: tmp)
      throw ConfigError("\(path): cannot write (\(reason))")
    }
  }

  /// Writes a value as pretty, key-sorted JSON.
  public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    try write(enc.encode(value), to: path)
  }
}
