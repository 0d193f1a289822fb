// Whole-file reads and atomic writes on plain POSIX calls, so every failure carries errno's
// text ("No such file or directory") instead of Foundation's nil or a generic error, and so the
// write path controls exactly where its temporary file lives.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Errors with one clear line naming the file (or "<memory>") and what went wrong.
public struct ImagingError: Error, CustomStringConvertible, Sendable {
  /// The whole message, e.g. `runs/x/a.png: not a PNG file (bad signature)`.
  public let description: String

  /// Creates an error from a complete one-line message.
  public init(_ description: String) {
    self.description = description
  }

  /// Creates an error whose message is `name: problem`.
  init(name: String, _ problem: String) {
    self.description = "\(name): \(problem)"
  }
}

/// File reading and atomic file writing with errno-based messages.
enum FileIO {
  /// Files larger than this are refused before reading: no image this project handles comes close,
  /// and a mistaken path (a checkpoint, a device) should fail fast instead of exhausting memory.
  static let maxReadBytes = 1 << 30

  /// The complete contents of the file at `path`.
  static func readAll(path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw ImagingError(name: path, "cannot open (\(errnoText()))") }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) != 0 { throw ImagingError(name: path, "cannot stat (\(errnoText()))") }
    if (info.st_mode & S_IFMT) == S_IFDIR { throw ImagingError(name: path, "is a directory") }
    let expected = Int(info.st_size)
    if expected > maxReadBytes {
      throw ImagingError(name: path, "file too large (\(expected) bytes, limit \(maxReadBytes))")
    }
    // Read until EOF rather than trusting st_size: the file may change under us, and pipes or
    // special files report 0.
    var bytes = [UInt8](repeating: 0, count: max(expected, 4096))
    var used = 0
    while true {
      if used == bytes.count {
        if bytes.count >= maxReadBytes {
          throw ImagingError(name: path, "file too large (over \(maxReadBytes) bytes)")
        }
        bytes.append(contentsOf: [UInt8](repeating: 0, count: bytes.count))
      }
      let n = bytes.withUnsafeMutableBytes { buf in
        read(fd, buf.baseAddress.map { $0 + used }, buf.count - used)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw ImagingError(name: path, "cannot read (\(errnoText()))")
      }
      if n == 0 { break }
      used += n
    }
    bytes.removeSubrange(used...)
    return bytes
  }

  /// Writes `bytes` to a temporary file beside `path`, flushes it, then renames it over `path`,
  /// so readers (and a crash) see either the old file or the complete new one, never a torn one.
  static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let temporary = temporaryPath(for: path)
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    if fd < 0 { throw ImagingError(name: path, "cannot create temporary file (\(errnoText()))") }
    var succeeded = false
    defer { if !succeeded { unlink(temporary) } }
    do {
      defer { close(fd) }
      var written = 0
      while written < bytes.count {
        let n = bytes.withUnsafeBytes { buf in
          write(fd, buf.baseAddress.map { $0 + written }, buf.count - written)
        }
        if n < 0 {
          if errno == EINTR { continue }
          throw ImagingError(name: path, "cannot write (\(errnoText()))")
        }
        written += n
      }
      // Without fsync a power loss after the rename can leave an empty file under the final name.
      if fsync(fd) != 0 { throw ImagingError(name: path, "cannot flush (\(errnoText()))") }
    }
    if rename(temporary, path) != 0 {
      throw ImagingError(name: path, "cannot rename temporary file into place (\(errnoText()))")
    }
    succeeded = true
  }

  /// A hidden, unique name in the same directory as `path`: rename is only atomic within a
  /// file system, and a leftover from a crash is easy to recognise and ignore.
  static func temporaryPath(for path: String) -> String {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? ""
    let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
    let tag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    return "\(directory).\(base).tmp-\(getpid())-\(tag)"
  }

  /// The text of the current errno, e.g. "No such file or directory".
  static func errnoText() -> String {
    let code = errno
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
  }
}
