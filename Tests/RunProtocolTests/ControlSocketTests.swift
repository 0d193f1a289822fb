import Foundation
import RunProtocol
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// The control socket: owner-only files, one reply per line, refusals that are never fatal.
final class ControlSocketTests: XCTestCase {
  var dir: URL!
  var socketPath: String { dir.appendingPathComponent("ctl/control.sock").path }
  let received = Received()

  /// What the server handed on, collected across threads.
  final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var commands: [RunCommand] = []
    private var notes: [String] = []
    func add(_ c: RunCommand) { lock.withLock { commands.append(c) } }
    func add(_ n: String) { lock.withLock { notes.append(n) } }
    var all: (commands: [RunCommand], notes: [String]) { lock.withLock { (commands, notes) } }
  }

  override func setUpWithError() throws {
    // Short: a socket path may have at most 107 bytes.
    dir = URL(fileURLWithPath: "/tmp/gctl-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  override func tearDown() { try? FileManager.default.removeItem(at: dir) }

  func makeServer(allowedUID: uid_t = geteuid()) throws -> ControlServer {
    let r = received
    return try ControlServer(path: socketPath, allowedUID: allowedUID, onCommand: { r.add($0) }, onNote: { r.add($0) })
  }

  /// A raw connection that sends bytes and reads one reply line (blocking, with a timeout
  /// long enough never to matter: the server answers each line as it arrives).
  final class RawClient {
    let fd: Int32
    var pending: [UInt8] = []
    init(_ path: String) throws {
      fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
      var addr = sockaddr_un()
      addr.sun_family = sa_family_t(AF_UNIX)
      withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
      let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
      }
      guard rc == 0 else { throw ControlSocketError("connect: \(String(cString: strerror(errno)))") }
      var tv = timeval(tv_sec: 20, tv_usec: 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { close(fd) }

    func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }

    /// The next reply, or nil when the server closed the connection.
    func reply() -> ControlReply? {
      var buffer = [UInt8](repeating: 0, count: 4096)
      while !pending.contains(0x0A) {
        let n = read(fd, &buffer, buffer.count)
        if n <= 0 { return nil }
        pending += buffer[0..<n]
      }
      let nl = pending.firstIndex(of: 0x0A)!
      let line = Data(pending[..<nl])
      pending.removeSubrange(...nl)
      return try? JSONDecoder().decode(ControlReply.self, from: line)
    }
  }

  func mode(_ path: String) -> mode_t {
    var st = stat()
    lstat(path, &st)
    return st.st_mode & 0o777
  }

  func testSocketIsOwnerOnlyInAPrivateDirectory() throws {
    let server = try makeServer()
    defer { server.close() }
    XCTAssertEqual(mode(socketPath), 0o600)
    XCTAssertEqual(mode((socketPath as NSString).deletingLastPathComponent), 0o700)
    server.close()
    XCTAssertFalse(FileManager.default.fileExists(atPath: socketPath), "close removes the socket")
  }

  func testCommandsAreAcknowledgedAndHandedOn() throws {
    let server = try makeServer()
    defer { server.close() }
    let c = try RawClient(socketPath)
    c.send(#"{"v":1,"id":4,"by":"test","action":"pause"}"# + "\n" + #"{"v":1,"id":5,"by":"test","action":"set","key":"grpo.lr","value":0.001}"# + "\n")
    XCTAssertEqual(c.reply(), ControlReply(id: 4, ok: true))
    XCTAssertEqual(c.reply(), ControlReply(id: 5, ok: true))
    XCTAssertEqual(received.all.commands.map(\.action), [.pause, .set(key: "grpo.lr", value: .number(0.001))])
  }

  /// Bad JSON, a newer schema, an unknown action and an oversized line are each refused with
  /// a reason and a note, and the same connection keeps working afterwards.
  func testMalformedAndOversizedCommandsAreRefusedNotFatal() throws {
    let server = try makeServer()
    defer { server.close() }
    let c = try RawClient(socketPath)
    c.send("not json\n")
    XCTAssertEqual(c.reply()?.error, "refused: not a valid command (not valid JSON)")
    c.send(#"{"v":9,"id":2,"action":"pause"}"# + "\n")
    XCTAssertEqual(c.reply(), ControlReply(id: 2, ok: false, error: "refused: command schema v9 is newer than v1"))
    c.send(#"{"v":1,"id":3,"action":"dance"}"# + "\n")
    XCTAssertEqual(c.reply()?.ok, false)
    c.send(String(repeating: "x", count: 70_000) + "\n")
    XCTAssertEqual(c.reply()?.error, "refused: command longer than 65536 bytes")
    c.send(#"{"v":1,"id":6,"by":"test","action":"resume"}"# + "\n")
    XCTAssertEqual(c.reply(), ControlReply(id: 6, ok: true), "the connection survives every refusal")
    let (commands, notes) = received.all
    XCTAssertEqual(commands.map(\.action), [.resume])
    XCTAssertEqual(notes.count, 4, "each refusal is logged: \(notes)")
  }

  /// A peer whose uid is not the run owner's gets a refusal and a closed connection.
  func testAPeerOfAnotherUserIsRefused() throws {
    let server = try makeServer(allowedUID: geteuid() &+ 4242)
    defer { server.close() }
    let c = try RawClient(socketPath)
    let reply = try XCTUnwrap(c.reply())
    XCTAssertFalse(reply.ok)
    XCTAssertEqual(reply.error, "refused: peer uid \(geteuid()) is not the run's owner (uid \(geteuid() &+ 4242))")
    XCTAssertNil(c.reply(), "the server closes the connection")
    c.send(#"{"v":1,"id":1,"action":"pause"}"# + "\n")
    XCTAssertTrue(received.all.commands.isEmpty)
  }

  /// The client refuses a socket that group or others could open, and one in an open directory.
  func testClientRefusesSocketsWithWiderPermissions() throws {
    let server = try makeServer()
    defer { server.close() }
    XCTAssertNoThrow(try ControlClient.check(socketPath))
    chmod(socketPath, 0o666)
    XCTAssertThrowsError(try ControlClient(path: socketPath)) { e in
      XCTAssertEqual("\(e)", "\(socketPath): the socket has mode 0666, which lets other users in; refused (a control socket must be 0600)")
    }
    chmod(socketPath, 0o600)
    let parent = (socketPath as NSString).deletingLastPathComponent
    chmod(parent, 0o755)
    XCTAssertThrowsError(try ControlClient(path: socketPath)) { e in XCTAssertTrue("\(e)".contains("mode 0755"), "\(e)") }
    chmod(parent, 0o700)
  }

  /// The server will not make its socket in a directory others can enter, nor replace a live one.
  func testServerRefusesAnOpenDirectoryAndALiveSocket() throws {
    let open = dir.appendingPathComponent("open")
    try FileManager.default.createDirectory(at: open, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    XCTAssertThrowsError(try ControlServer(path: open.appendingPathComponent("s").path, onCommand: { _ in }, onNote: { _ in })) { e in
      XCTAssertTrue("\(e)".contains("has mode 0755"), "\(e)")
    }
    let server = try makeServer()
    defer { server.close() }
    XCTAssertThrowsError(try makeServer()) { e in XCTAssertTrue("\(e)".contains("already serving"), "\(e)") }
  }

  /// sockaddr_un holds 107 bytes of path: a longer one is a clear error, not a truncated socket.
  func testATooLongPathIsRefusedWithItsLength() throws {
    let deep = dir.appendingPathComponent(String(repeating: "d", count: 120)).appendingPathComponent("s.sock").path
    XCTAssertThrowsError(try ControlServer(path: deep, onCommand: { _ in }, onNote: { _ in })) { e in
      XCTAssertTrue("\(e)".contains("at most 107 bytes"), "\(e)")
    }
  }

  /// A socket file left by a dead run is replaced.
  func testAStaleSocketIsReplaced() throws {
    let first = try makeServer()
    // Simulate a crash: the listener goes away but the file stays.
    let stale = socketPath + ".keep"
    link(socketPath, stale)
    first.close()
    rename(stale, socketPath)
    XCTAssertTrue(FileManager.default.fileExists(atPath: socketPath))
    let second = try makeServer()
    defer { second.close() }
    let c = try RawClient(socketPath)
    c.send(#"{"v":1,"id":1,"action":"step"}"# + "\n")
    XCTAssertEqual(c.reply(), ControlReply(id: 1, ok: true))
  }

  /// The real thing, when the tests run as root: a process of another user (nobody) cannot
  /// even reach the socket, because its directory is 0700.
  func testAnotherUsersProcessCannotConnect() throws {
    guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
      throw XCTSkip("needs root and setpriv to act as another user")
    }
    let server = try makeServer()
    defer { server.close() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    let script = "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1]); print('connected')\nexcept OSError as e:\n print('refused', e.errno)"
    p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "python3", "-c", script, socketPath]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    p.waitUntilExit()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    XCTAssertEqual(text.trimmingCharacters(in: .whitespacesAndNewlines), "refused \(EACCES)")
    XCTAssertTrue(received.all.commands.isEmpty)
  }
}
