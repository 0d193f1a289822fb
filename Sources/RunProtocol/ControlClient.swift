import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// The dashboard's end of the control socket (`grpotop attach --control SOCKET`). Before it
// connects it checks the owner-only rule itself: a socket that is not this user's, or that
// group or others could open, is refused, so commands never go to a socket someone else may
// have planted. Replies are read on a thread of their own and reported through `onReply`.

/// Sends RunCommands to a trainer's control socket and reports its replies.
public final class ControlClient: @unchecked Sendable {
  public let path: String
  private let lock = NSLock()
  private var fd: Int32 = -1
  private let onReply: @Sendable (ControlReply) -> Void
  private let onNote: @Sendable (String) -> Void

  /// Checks `path` (a 0600 socket of this user in a directory only this user can enter) and
  /// connects. A refused check or a failed connection throws one line naming the path.
  public init(path: String, onReply: @escaping @Sendable (ControlReply) -> Void = { _ in },
              onNote: @escaping @Sendable (String) -> Void = { _ in }) throws {
    self.path = path
    self.onReply = onReply
    self.onNote = onNote
    try ControlClient.check(path)
    try connect()
  }

  /// The owner-only rule, applied to the socket and its directory.
  public static func check(_ path: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    try UnixSocket.requirePrivate(dir.isEmpty ? "." : dir, what: "socket's directory", fix: "it must be 0700")
    guard FileManager.default.fileExists(atPath: path) else { throw ControlSocketError("\(path): no control socket here (is the run serving one?)") }
    guard UnixSocket.isSocket(path) else { throw ControlSocketError("\(path): not a socket") }
    try UnixSocket.requirePrivate(path, what: "socket", fix: "a control socket must be 0600")
  }

  /// Sends one command; reconnects once when the trainer side went away and came back.
  /// Returns false when it could not be delivered (the note says why).
  @discardableResult
  public func send(_ command: RunCommand) -> Bool {
    let line = UnixSocket.line(command)
    lock.lock()
    var current = fd
    lock.unlock()
    if current >= 0, UnixSocket.writeAll(current, line) { return true }
    do {
      try ControlClient.check(path)
      try connect()
    } catch {
      onNote("control: \(error)")
      return false
    }
    lock.lock()
    current = fd
    lock.unlock()
    if UnixSocket.writeAll(current, line) { return true }
    onNote("control: \(path): the trainer closed the connection")
    return false
  }

  /// Closes the connection (the reader thread ends with it).
  public func close() {
    lock.lock()
    if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
    fd = -1
    lock.unlock()
  }

  private func connect() throws {
    let socket = try UnixSocket.connect(to: path)
    lock.lock()
    if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
    fd = socket
    lock.unlock()
    let t = Thread { [onReply, onNote] in ControlClient.readReplies(socket, onReply: onReply, onNote: onNote) }
    t.name = "grpotop-control-replies"
    t.start()
  }

  /// Reads reply lines until the connection ends, then closes the descriptor.
  private static func readReplies(_ fd: Int32, onReply: @Sendable (ControlReply) -> Void, onNote: @Sendable (String) -> Void) {
    var pending: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = read(fd, &buffer, buffer.count)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      pending += buffer[0..<n]
      while let nl = pending.firstIndex(of: 0x0A) {
        let line = Data(pending[..<nl])
        pending.removeSubrange(...nl)
        if let reply = try? JSONDecoder().decode(ControlReply.self, from: line) {
          onReply(reply)
        } else {
          onNote("control: an unreadable reply was ignored")
        }
      }
    }
    Glibc.close(fd)
  }
}
