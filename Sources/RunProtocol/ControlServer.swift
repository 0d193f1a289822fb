import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// The trainer's end of the control socket (`grpotop train --control SOCKET`). A headless run
// under nohup can then be attached to later, from another ssh session, with
// `grpotop attach --follow RUN/events.jsonl --control SOCKET`.
//
// One thread polls the listening socket and its clients; it never touches the training loop
// except through `onCommand`, which posts to the trainer's mailbox. Each client sends RunCommand
// JSON lines and gets one ControlReply line per command. Whatever a client sends, the worst
// outcome is a refusal (a reply with ok:false and a note in the run's log): a line longer than
// `maxLineBytes`, bad JSON, an unknown action, a newer schema, or a peer of another uid.
// A reply is written only after the command (or the refusal's note) has been handed on, so a
// client that has read its reply knows the trainer side has it.

/// Serves the control socket of a run: owner-only, line-framed, never fatal.
public final class ControlServer: @unchecked Sendable {
  /// Longest command line accepted; longer ones are refused and skipped to their newline.
  public static let maxLineBytes = 65_536

  public let path: String
  private let listener: Int32
  private let allowedUID: uid_t
  private let onCommand: @Sendable (RunCommand) -> Void
  private let onNote: @Sendable (String) -> Void
  private let stopFlag = NSLock()
  private var stopping = false
  private var thread: Thread?

  /// A connected client and the bytes of its unfinished line.
  private struct Client {
    let fd: Int32
    var pending: [UInt8] = []
    var discarding = false
  }

  /// Creates the socket at `path` (its directory 0700, created if missing; the socket 0600)
  /// and starts serving. `allowedUID` is the only peer uid let in (this user; tests pass
  /// another to play a stranger). Commands go to `onCommand`, refusals to `onNote`.
  public init(path: String, allowedUID: uid_t = geteuid(), onCommand: @escaping @Sendable (RunCommand) -> Void,
              onNote: @escaping @Sendable (String) -> Void) throws {
    self.path = path
    self.allowedUID = allowedUID
    self.onCommand = onCommand
    self.onNote = onNote
    try ControlServer.prepareDirectory(for: path)
    try ControlServer.clearStale(path)
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ControlSocketError("\(path): socket() failed: \(String(cString: strerror(errno)))") }
    // Bound under umask 0177 so the socket is never, even briefly, wider than 0600.
    let previous = umask(0o177)
    let bound = try UnixSocket.withAddress(path) { bind(fd, $0, $1) }
    umask(previous)
    guard bound == 0, chmod(path, 0o600) == 0, listen(fd, 8) == 0 else {
      let why = String(cString: strerror(errno))
      Glibc.close(fd)
      throw ControlSocketError("\(path): cannot serve a socket here (\(why))")
    }
    UnixSocket.setNonBlocking(fd)
    listener = fd
    // The thread keeps the server alive until `close()` ends it.
    let t = Thread { self.serve() }
    t.name = "grpotop-control"
    thread = t
    t.start()
  }

  /// Stops serving, closes every connection and removes the socket file. Call it when the
  /// run ends: the serving thread holds the server until then.
  public func close() {
    stopFlag.lock()
    let already = stopping
    stopping = true
    stopFlag.unlock()
    if already { return }
    while thread?.isFinished == false { usleep(5_000) }
    Glibc.close(listener)
    unlink(path)
  }

  private var shouldStop: Bool {
    stopFlag.lock()
    defer { stopFlag.unlock() }
    return stopping
  }

  // MARK: Setup

  /// The socket's directory: made 0700 when missing; when present it must already be private.
  static func prepareDirectory(for path: String) throws {
    let dir = (path as NSString).deletingLastPathComponent
    let directory = dir.isEmpty ? "." : dir
    if !FileManager.default.fileExists(atPath: directory) {
      do {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
      } catch {
        throw ControlSocketError("\(directory): cannot create the socket's directory (\(error.localizedDescription))")
      }
    }
    try UnixSocket.requirePrivate(directory, what: "directory", fix: "chmod 700 \(directory), or choose another place")
  }

  /// A socket file left by a run that died is removed; a live one, or any other file, is an error.
  static func clearStale(_ path: String) throws {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    guard UnixSocket.isSocket(path) else { throw ControlSocketError("\(path): exists and is not a socket; refusing to replace it") }
    // Nobody answering means the run that made it is gone.
    if let fd = try? UnixSocket.connect(to: path) {
      Glibc.close(fd)
      throw ControlSocketError("\(path): another run is already serving this socket")
    }
    unlink(path)
  }

  // MARK: Serving

  private func serve() {
    var clients: [Client] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while !shouldStop {
      var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
      fds += clients.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
      let ready = poll(&fds, nfds_t(fds.count), 100)
      if ready <= 0 { continue }
      if fds[0].revents & Int16(POLLIN) != 0 { accept(into: &clients) }
      var closed: Set<Int32> = []
      for (i, pfd) in fds.enumerated().dropFirst() where pfd.revents != 0 {
        let n = read(pfd.fd, &buffer, buffer.count)
        if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
        if n <= 0 {
          closed.insert(pfd.fd)
          continue
        }
        receive(buffer[0..<n], client: &clients[i - 1])
      }
      for fd in closed { Glibc.close(fd) }
      clients.removeAll { closed.contains($0.fd) }
    }
    for c in clients { Glibc.close(c.fd) }
  }

  private func accept(into clients: inout [Client]) {
    while true {
      let fd = Glibc.accept(listener, nil, nil)
      if fd < 0 { return }
      let uid = UnixSocket.peerUID(fd)
      guard uid == allowedUID else {
        let who = uid.map { "uid \($0)" } ?? "an unknown uid"
        let why = "refused: peer \(who) is not the run's owner (uid \(allowedUID))"
        onNote("control socket: a connection from \(who) was refused")
        UnixSocket.writeAll(fd, UnixSocket.line(ControlReply(id: 0, ok: false, error: why)))
        Glibc.close(fd)
        continue
      }
      UnixSocket.setNonBlocking(fd)
      clients.append(Client(fd: fd))
    }
  }

  /// Splits what a client sent into lines and answers each complete one.
  private func receive(_ bytes: ArraySlice<UInt8>, client: inout Client) {
    var start = bytes.startIndex
    while let nl = bytes[start...].firstIndex(of: 0x0A) {
      if client.discarding {
        client.discarding = false
      } else {
        client.pending += bytes[start..<nl]
        if client.pending.count > ControlServer.maxLineBytes { refuseOversized(client.fd) } else { answer(client.pending, fd: client.fd) }
      }
      client.pending.removeAll(keepingCapacity: true)
      start = nl + 1
    }
    guard !client.discarding else { return }
    client.pending += bytes[start...]
    if client.pending.count > ControlServer.maxLineBytes {
      refuseOversized(client.fd)
      client.pending.removeAll()
      client.discarding = true
    }
  }

  private func refuseOversized(_ fd: Int32) {
    let why = "refused: command longer than \(ControlServer.maxLineBytes) bytes"
    onNote("control socket: \(why)")
    UnixSocket.writeAll(fd, UnixSocket.line(ControlReply(id: 0, ok: false, error: why)))
  }

  private func answer(_ line: [UInt8], fd: Int32) {
    let text = String(decoding: line, as: UTF8.self)
    switch JSONLines.decodeCommand(Substring(text)) {
    case .empty:
      return
    case .skipped(let why):
      onNote("control socket: refused a command: \(why)")
      UnixSocket.writeAll(fd, UnixSocket.line(ControlReply(id: ControlServer.idOf(text), ok: false, error: "refused: " + why)))
    case .value(let command):
      // Handed on first, then acknowledged: an ok means the trainer's mailbox has it.
      onCommand(command)
      UnixSocket.writeAll(fd, UnixSocket.line(ControlReply(id: command.id, ok: true)))
    }
  }

  /// The "id" of a command line that failed to decode, when it has one, so the reply matches.
  static func idOf(_ text: String) -> Int {
    guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return 0 }
    return (object["id"] as? Int) ?? 0
  }
}
