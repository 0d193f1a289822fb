import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// The Unix-domain plumbing under the control socket: addresses, the owner-only permission
// rule, peer credentials and non-blocking I/O. The rule, checked on both sides: the socket
// is 0600 and lives in a directory that only its owner can enter (no group or other bits),
// both owned by the user who runs the trainer. The kernel then keeps other users out, and
// SO_PEERCRED lets the trainer check again who connected.

/// A control-socket problem, in one line that names the path and what is allowed.
public struct ControlSocketError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// The acknowledgement the trainer side sends for each command line.
///
/// `{"id":3,"ok":true,"v":1}`, or with `"ok":false` and an `"error"` saying why it was refused.
public struct ControlReply: Codable, Sendable, Equatable {
  public var v: Int
  public var id: Int
  public var ok: Bool
  public var error: String?

  public init(id: Int, ok: Bool, error: String? = nil) {
    v = RunSchema.version
    self.id = id
    self.ok = ok
    self.error = error
  }
}

/// Low-level helpers over the C socket API.
enum UnixSocket {
  /// Longest path a sockaddr_un holds (the kernel's 108 bytes, with the terminating NUL).
  static let maxPathBytes = 107

  /// Calls `body` with a sockaddr_un for `path`.
  static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws -> R {
    let bytes = Array(path.utf8)
    guard bytes.count <= maxPathBytes else {
      throw ControlSocketError("\(path): a socket path may have at most \(maxPathBytes) bytes, this one has \(bytes.count)")
    }
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in
      raw.copyBytes(from: bytes)
      raw[bytes.count] = 0
    }
    return withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
  }

  /// The permission bits of a mode, as `0755`.
  static func octal(_ mode: mode_t) -> String { "0" + String(mode & 0o777, radix: 8) }

  /// Checks that `path` is owned by this user and grants nothing to group or others.
  /// `what` names it in the error ("directory", "socket").
  static func requirePrivate(_ path: String, what: String, fix: String) throws {
    var st = stat()
    guard lstat(path, &st) == 0 else { throw ControlSocketError("\(path): no such \(what)") }
    if st.st_uid != geteuid() {
      throw ControlSocketError("\(path): the \(what) belongs to uid \(st.st_uid), not to this user (uid \(geteuid())); refused")
    }
    if st.st_mode & 0o077 != 0 {
      throw ControlSocketError("\(path): the \(what) has mode \(octal(st.st_mode)), which lets other users in; refused (\(fix))")
    }
  }

  /// Whether `path` names a Unix socket.
  static func isSocket(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
  }

  /// A stream socket connected to `path`; a failure throws one line naming the path and errno.
  static func connect(to path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ControlSocketError("socket(): \(String(cString: strerror(errno)))") }
    var rc: Int32 = -1
    do { rc = try withAddress(path) { Glibc.connect(fd, $0, $1) } } catch {
      close(fd)
      throw error
    }
    if rc != 0 {
      let why = String(cString: strerror(errno))
      close(fd)
      throw ControlSocketError("\(path): cannot connect (\(why))")
    }
    return fd
  }

  /// The uid of the process at the other end of a connected socket.
  static func peerUID(_ fd: Int32) -> uid_t? {
    var cred = PeerCredentials()
    var len = socklen_t(MemoryLayout<PeerCredentials>.size)
    guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0, len == MemoryLayout<PeerCredentials>.size else { return nil }
    return cred.uid
  }

  /// Linux's `struct ucred` (pid, uid, gid), which Swift's Glibc module leaves out because it
  /// sits behind _GNU_SOURCE; three 32-bit fields, the same layout.
  struct PeerCredentials {
    var pid: Int32 = 0
    var uid: uid_t = 0
    var gid: gid_t = 0
  }

  static func setNonBlocking(_ fd: Int32) {
    let flags = fcntl(fd, F_GETFL)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
  }

  /// Writes all of `bytes`, without SIGPIPE; false when the peer is gone (or, for a
  /// non-blocking socket, would block).
  @discardableResult
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      sent += n
    }
    return true
  }

  /// One JSON line of `value`.
  static func line<T: Encodable>(_ value: T) -> [UInt8] {
    Array(((try? JSONLines.encode(value)) ?? "{}").utf8) + [0x0A]
  }
}
