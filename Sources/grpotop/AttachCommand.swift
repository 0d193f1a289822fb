import ArgumentParser
import Dashboard
import Foundation
import RunProtocol

/// `grpotop attach --follow events.jsonl [--control SOCKET]`: the dashboard over a run that
/// another process writes (a PyTorch trainer with clients/python/grpotop_events.py, or a
/// headless `grpotop train --control`), following the file as it grows; with `--control`
/// its keys go back to that process over the run's Unix socket. `q` detaches; the run goes on.
struct AttachCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attach", abstract: "Follow a run another process writes (events.jsonl), and steer it over its control socket.")

  @Option(help: "The events.jsonl the run appends to (it may not exist yet).") var follow: String
  @Option(help: "The run's control socket (without it the dashboard only watches).") var control: String?
  @OptionGroup var display: DisplayOptions

  func run() async throws {
    // Control problems (a refused command, a trainer that went away) join the event stream
    // as log lines, so they show in the log panel rather than on a screen ncurses owns.
    let (notes, noteSink) = AsyncStream<RunEvent>.makeStream(bufferingPolicy: .unbounded)
    let warn: @Sendable (String) -> Void = { text in
      noteSink.yield(RunEvent(seq: -1, time: Date().timeIntervalSince1970, payload: .log(LogLine(level: .warning, message: text))))
    }
    let client: ControlClient?
    if let control {
      do {
        client = try ControlClient(path: control, onReply: { reply in
          if !reply.ok { warn("control: command \(reply.id) \(reply.error ?? "refused")") }
        }, onNote: warn)
      } catch let e as ControlSocketError {
        throw CommandFailure(e.description)
      }
    } else {
      client = nil
    }
    defer { client?.close() }
    let parent = (follow as NSString).deletingLastPathComponent
    let options = DashboardOptions(
      readOnly: control == nil ? "attached without --control" : nil, colors: display.colorMode, theme: display.theme,
      themeDirectories: display.themeDirectories, source: "attach",
      runDirectory: parent.isEmpty ? "." : parent, quitLeavesRunRunning: true)
    let events = AttachCommand.merge(EventFollower.stream(path: follow), notes)
    try await DashboardApp().run(events: events, send: { client?.send($0) }, options: options)
  }

  /// The followed file's events and the control notes as one stream; it ends when the
  /// dashboard stops reading (a followed file never ends by itself).
  static func merge(_ a: AsyncStream<RunEvent>, _ b: AsyncStream<RunEvent>) -> AsyncStream<RunEvent> {
    AsyncStream { continuation in
      let tasks = [a, b].map { source in
        Task {
          for await e in source { continuation.yield(e) }
        }
      }
      continuation.onTermination = { _ in tasks.forEach { $0.cancel() } }
    }
  }
}
