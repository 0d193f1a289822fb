import Foundation

/// A detached tmux session on a private tmux server (`-L`), for whole-program tests: the
/// user's own sessions are never touched. Screens are read with capture-pane and keys sent
/// with send-keys; waits poll with a bounded retry loop, so no test depends on timing.
public final class TmuxSession {
  public let socket: String
  public let name: String
  private var started = false

  public init(name: String) {
    socket = "grpotop-tests-\(getpid())-\(name)"
    self.name = name
  }

  deinit { close() }

  /// Whether tmux is installed.
  public static var available: Bool { TmuxSession(name: "probe").run(["-V"]).status == 0 }

  /// Starts `command` (a shell command line) in a width×height window.
  @discardableResult
  public func start(_ command: String, width: Int = 120, height: Int = 36) -> Bool {
    started = true
    return run(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", command]).status == 0
  }

  /// Sends keys (tmux key names such as "Enter", "Space", "Tab", or literal text).
  public func send(_ keys: String...) { run(["send-keys", "-t", name] + keys) }

  /// Sends text literally (-l), e.g. a number typed into an edit field.
  public func type(_ text: String) { run(["send-keys", "-t", name, "-l", "--", text]) }

  /// Resizes the window.
  public func resize(width: Int, height: Int) { run(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"]) }

  /// The visible screen as text.
  public func screen() -> String { run(["capture-pane", "-p", "-t", name], output: true).output }

  /// Polls the screen until `predicate` holds or `seconds` pass; returns the last screen.
  @discardableResult
  public func wait(seconds: Double = 20, until predicate: (String) -> Bool) -> String {
    var text = ""
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
      text = screen()
      if predicate(text) { return text }
      usleep(100_000)
    } while Date() < deadline
    return text
  }

  /// The pid of the program in the pane (the shell's child when the command is a shell line).
  public func panePID() -> pid_t? {
    pid_t(run(["display-message", "-p", "-t", name, "#{pane_pid}"], output: true).output.trimmingCharacters(in: .whitespacesAndNewlines))
  }

  /// Kills the private server (and so the session).
  public func close() {
    if started { run(["kill-server"]) }
    started = false
  }

  /// Runs a tmux command on the private server through /bin/sh, waiting with waitpid.
  /// Foundation's Process is not used: it learns of a child's exit through a socket the child
  /// inherits, and the tmux server forked by new-session keeps that socket open forever.
  @discardableResult
  public func run(_ args: [String], output: Bool = false) -> (status: Int32, output: String) {
    let quoted = (["tmux", "-L", socket] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    let command = quoted.joined(separator: " ") + " >'\(file)' 2>/dev/null </dev/null"
    let status = TmuxSession.shell(command)
    let text = output ? ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "") : ""
    return (status, text)
  }

  /// Runs `command` with /bin/sh -c and returns its exit status.
  @discardableResult
  public static func shell(_ command: String) -> Int32 {
    let words: [String] = ["/bin/sh", "-c", command]
    let pairs: [String] = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
    let envp: [UnsafeMutablePointer<CChar>?] = pairs.map { strdup($0) }
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    var cArgv = argv + [nil], cEnvp = envp + [nil]
    guard posix_spawn(&pid, "/bin/sh", nil, nil, &cArgv, &cEnvp) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (status >> 8) & 0xff
  }

  /// The grpotop binary built next to the running test bundle, if any.
  public static func grpotopBinary() -> String? {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("grpotop").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return nil
  }
}
